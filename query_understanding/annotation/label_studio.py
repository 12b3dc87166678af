"""The Label Studio round trip of an NER project over queries.

Out: :func:`to_tasks` turns the annotation queue into Label Studio's import JSON, one task per
query (``data.text``) with the model's entities as a pre-annotation (``predictions[].result[]``
of type ``labels``, character offsets), so an annotator corrects rather than starts from nothing.
``from_name`` / ``to_name`` match the shipped labelling config (``label_studio_config.xml``).

In: :func:`from_export` reads Label Studio's JSON export (tasks with
``annotations[].result[].value = {start, end, text, labels}``) into the project's annotated
JSONL rows ``{"id", "tokens", "tags"}`` (BIO over whitespace tokens). Per task the latest
non-cancelled annotation wins; a task with none is skipped. A span that does not sit on token
boundaries (an annotator's stray drag over half a word) is widened to the tokens it touches,
and counted, rather than silently dropped or allowed to corrupt the BIO.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from query_understanding.bio import Span, spans_to_bio
from query_understanding.schema import ENTITY_TYPES
from query_understanding.text import tokenize

LABEL_CONFIG = Path(__file__).with_name("label_studio_config.xml")
FROM_NAME = "label"
TO_NAME = "text"


def to_tasks(items: Iterable) -> list[dict]:
    """Label Studio import tasks for queue items (:class:`~query_understanding.annotation.queue.QueueItem`)."""
    tasks = []
    for item in items:
        result = [
            {
                "id": f"e{i}",
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "value": {"start": e["start"], "end": e["end"], "text": e["text"], "labels": [e["type"]]},
                **({"score": e["score"]} if e.get("score") is not None else {}),
            }
            for i, e in enumerate(item.entities)
            if e.get("type") in ENTITY_TYPES
        ]
        tasks.append(
            {
                "data": {
                    "text": item.query,
                    "query_norm": item.query_norm,
                    "frequency": item.frequency,
                    "priority": item.priority,
                },
                "predictions": [
                    {"model_version": item.model_tag or "unknown", "score": item.confidence, "result": result}
                ],
            }
        )
    return tasks


@dataclass
class ImportReport:
    rows: list[dict] = field(default_factory=list)
    skipped_tasks: int = 0
    widened_spans: int = 0
    dropped_spans: int = 0


def latest_annotation(task: Mapping) -> Mapping | None:
    kept = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    return (
        max(kept, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0))
        if kept
        else None
    )


def from_export(export: Iterable[Mapping]) -> ImportReport:
    """Annotated JSONL rows from a Label Studio JSON export; see the module docstring."""
    report = ImportReport()
    for index, task in enumerate(export):
        annotation = latest_annotation(task)
        text = str((task.get("data") or {}).get("text") or "")
        tokens = tokenize(text)
        if annotation is None or not tokens:
            report.skipped_tasks += 1
            continue
        spans = []
        for region in annotation.get("result") or []:
            value = region.get("value") or {}
            labels = [label for label in value.get("labels") or [] if label in ENTITY_TYPES]
            if region.get("type") != "labels" or not labels or value.get("start") is None:
                continue
            start, end = int(value["start"]), int(value["end"])
            covered = [i for i, t in enumerate(tokens) if t.start < end and start < t.end]
            if not covered:
                report.dropped_spans += 1
                continue
            if tokens[covered[0]].start != start or tokens[covered[-1]].end != end:
                report.widened_spans += 1
            spans.append(Span(labels[0], covered[0], covered[-1] + 1))
        spans.sort(key=lambda s: (s.start, s.end))
        kept: list[Span] = []
        for span in spans:  # overlapping regions: the earlier one wins
            if kept and span.start < kept[-1].end:
                report.dropped_spans += 1
                continue
            kept.append(span)
        report.rows.append(
            {
                "id": f"label-studio-{task.get('id', index)}",
                "tokens": [t.text for t in tokens],
                "tags": spans_to_bio(kept, len(tokens)),
            }
        )
    return report


def write_import(rows: list[dict], directory: Path, stem: str = "label_studio") -> Path:
    """Write ``rows`` as a new JSONL file named by its content hash (a new data version; the same
    export imported twice is the same file). Returns its path."""
    body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}_{digest}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".jsonl.tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)
    return path
