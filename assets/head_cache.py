"""The head-query cache: the champion's answers to the most frequent queries, packed into the bento.

Counts normalized queries in the search logs (``stg_query_logs``) and in what the service
answered (``stg_predictions``), parses the ``top_n`` most frequent with the served model (the
tag the ``champion`` asset returns) linked by the ``linking_index`` the bento packs, and
registers the file beside the models (``head-cache:<version>``, labelled with the model tag),
so the ``bento`` asset packs it as it packs the linking index. The service answers from it only
while it serves that tag and that index (:mod:`bentos.head_cache`).
"""

from collections import Counter

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from pydantic import Field

from assets.dbt_models import query_dataset_models
from model_registry.head_caches import register_head_cache
from model_registry.linking_indexes import load_linking_index
from pipeline.dataset_metadata import relation_name
from pipeline.ui import OWNERS
from query_understanding.artifacts import load_tagger
from query_understanding.head_cache import (
    build_head_cache,
    count_normalized,
    held_out_day_hit_rate,
    model_answers,
    save_head_cache,
)
from query_understanding.markdown import markdown_table
from query_understanding.text import MAX_QUERY_CHARS
from resources import ModelStore, Warehouse, dbt_project

#: (dbt model, its query column, its time column): the traffic the cache's queries are counted in.
LOG_MODELS = (("stg_query_logs", "query_text", "event_ts"), ("stg_predictions", "query", "predicted_at"))


class HeadCacheConfig(dg.Config):
    top_n: int = Field(
        default=1000, ge=1, description="Most queries in the cache: the head of the traffic, by normalized query."
    )


def logged_queries(warehouse: Warehouse) -> tuple[dict[str, Counter], list[tuple[str, str, int]]]:
    """Normalized-query counts per log model, and ``(day, query, count)`` over both logs
    (read_table: the production warehouse is PostgreSQL)."""
    manifest = dbt_project().manifest_path
    counts, dated = {}, []
    for model, column, time_column in LOG_MODELS:
        frame = warehouse.read_table(relation_name(model, manifest))[[column, time_column]].dropna()
        counts[model] = count_normalized(frame[column].value_counts().items())
        days = frame[time_column].astype("datetime64[ns]").dt.strftime("%Y-%m-%d")
        dated += [(d, q, n) for (d, q), n in frame.groupby([days, frame[column]]).size().items()]
    return counts, dated


@dg.asset(
    deps=[get_asset_key_for_model([query_dataset_models], m) for m, _, _ in LOG_MODELS],
    ins={"served_tag": dg.AssetIn("champion"), "linking_tag": dg.AssetIn("linking_index")},
    group_name="serving",
    kinds={"python", "bentoml"},
    owners=OWNERS,
    code_version="2",
)
def head_query_cache(
    context: dg.AssetExecutionContext,
    config: HeadCacheConfig,
    served_tag: str,
    linking_tag: str,
    warehouse: Warehouse,
    model_store: ModelStore,
) -> dg.Output[str]:
    """The served model's answers to the most frequent normalized queries; value: its registry
    tag (empty: no served model yet)."""
    if not served_tag:
        return dg.Output("", metadata={"skipped": "the registry has no served model yet"})
    registry = model_store.registry()
    path, _ = registry.get(served_tag)
    index = load_linking_index(registry, linking_tag) if linking_tag else None
    per_source, dated = logged_queries(warehouse)
    counts = sum(per_source.values(), Counter())
    cache = build_head_cache(
        counts,
        model_answers(load_tagger(path), index, MAX_QUERY_CHARS),
        served_tag,
        index.version if index is not None else None,
        config.top_n,
        MAX_QUERY_CHARS,
    )
    cache_dir = save_head_cache(cache, model_store.root_path / "head_cache" / cache.version).parent
    tag = register_head_cache(registry, cache_dir)
    coverage = {
        model: round(sum(c[q] for q in cache.entries) / sum(c.values()), 4) if c else None
        for model, c in per_source.items()
    }
    context.log.info(f"{tag}: {len(cache)} queries of {served_tag}, {cache.stats['coverage']:.1%} of the traffic")
    head = sorted(cache.entries, key=lambda q: -counts[q])[:15]
    held_out = held_out_day_hit_rate(dated, config.top_n)
    return dg.Output(
        tag,
        metadata={
            "size": len(cache),
            "traffic_covered": cache.stats["coverage"],
            "traffic_covered_by_source": dg.MetadataValue.json(coverage),
            # built from every day but the last, asked the last day's queries
            "held_out_day_hit_rate": held_out["hit_rate"] if held_out else float("nan"),
            "held_out_day": dg.MetadataValue.json(held_out),
            "distinct_queries": cache.stats["distinct_queries"],
            "model_tag": served_tag,
            "linking_index": linking_tag or "off",
            "version": cache.version,
            "head": dg.MetadataValue.md(markdown_table(["query", "count"], [(q, counts[q]) for q in head])),
        },
        data_version=dg.DataVersion(cache.version),
    )
