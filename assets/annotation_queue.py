"""The active-learning queue: served queries a human should label next, ready for Label Studio.

Reads what the service answered (``stg_predictions``) and what is already annotated
(``stg_annotated_queries``), ranks by uncertainty weighted by frequency
(:mod:`query_understanding.annotation.queue`) and writes two files under
``$QU_ANNOTATION_DIR/queue/``: ``label_studio_tasks.json`` (import it into a Label Studio project
set up with ``query_understanding/annotation/label_studio_config.xml``; the model's entities come
as pre-annotations) and ``queue.jsonl`` (the project's JSONL, the model's tags as a draft). The
export comes back through ``scripts/import_label_studio.py`` as a new annotated file, which the
``annotated_queries_sensor`` sees and retrains on.
"""

import json

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from assets.dbt_models import query_dataset_models
from pipeline.dataset_metadata import relation_name
from query_understanding.annotation.label_studio import to_tasks
from query_understanding.annotation.queue import rank_for_annotation
from query_understanding.bio import entities_to_tags
from query_understanding.markdown import markdown_table
from query_understanding.schema import Entity
from resources import AnnotationWorkspace, Warehouse, dbt_project


class AnnotationQueueConfig(dg.Config):
    limit: int = 200
    """Most queries in the queue (an annotator's session, not the whole log)."""
    no_entity_confidence: float = 0.5
    """Confidence given to a prediction with no entity (the model saw nothing: doubtful)."""


def draft_tags(query: str, entities: list[dict]) -> list[str]:
    """The model's entities as BIO tags; all ``O`` when they do not sit on tokens."""
    try:
        fields = ("type", "text", "start", "end")
        return entities_to_tags(query, [Entity(*(e[k] for k in fields)) for e in entities])
    except ValueError:
        return ["O"] * len(query.split())


@dg.asset(
    deps=[
        get_asset_key_for_model([query_dataset_models], "stg_predictions"),
        get_asset_key_for_model([query_dataset_models], "stg_annotated_queries"),
    ],
    group_name="monitoring",
    kinds={"python", "labelstudio"},
)
def annotation_queue(
    context: dg.AssetExecutionContext,
    config: AnnotationQueueConfig,
    warehouse: Warehouse,
    annotation: AnnotationWorkspace,
) -> dg.MaterializeResult:
    """Served queries ranked for annotation (least sure x most asked), as Label Studio tasks and JSONL."""
    manifest = dbt_project().manifest_path
    # read_table, not a DuckDB connection: the production profile's warehouse is PostgreSQL
    columns = ["query", "entities", "uncertainty", "predicted_at", "model_tag"]
    served = warehouse.read_table(relation_name("stg_predictions", manifest))
    predictions = [
        {**row, "entities": [dict(e) for e in (row["entities"] if row["entities"] is not None else [])]}
        for row in served[columns].to_dict("records")
    ]
    annotated = warehouse.read_table(relation_name("stg_annotated_queries", manifest))["query_text"].tolist()
    queue = rank_for_annotation(
        predictions, [text for text in annotated if text], config.limit, config.no_entity_confidence
    )
    tasks_path = annotation.queue_dir / "label_studio_tasks.json"
    jsonl_path = annotation.queue_dir / "queue.jsonl"
    tasks_path.write_text(json.dumps(to_tasks(queue), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with jsonl_path.open("w", encoding="utf-8") as out:
        for item in queue:
            row = {
                "id": f"queue-{item.query_norm}",
                "tokens": item.query.split(),
                "tags": draft_tags(item.query, item.entities),
                "priority": item.priority,
                "frequency": item.frequency,
                "confidence": item.confidence,
                "uncertainty": item.uncertainty,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    context.log.info(f"{len(queue)} queries queued from {len(predictions)} logged predictions")
    top = [(i.query, i.frequency, i.uncertainty, i.confidence, i.priority) for i in queue[:15]]
    return dg.MaterializeResult(
        metadata={
            "queued": len(queue),
            "logged_predictions": len(predictions),
            "already_annotated": len(annotated),
            "label_studio_tasks": dg.MetadataValue.path(str(tasks_path)),
            "queue_jsonl": dg.MetadataValue.path(str(jsonl_path)),
            "top": dg.MetadataValue.md(
                markdown_table(["query", "frequency", "uncertainty", "confidence", "priority"], top)
            ),
        }
    )
