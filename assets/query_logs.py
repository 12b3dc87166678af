"""Raw search logs: synthesized from the catalog, as a click-log export would arrive.

In production this asset would be an ingestion job; here it synthesizes realistic sessions
(deterministic under a seed) from the catalog seeds so the whole graph runs on a laptop. It
writes no labels: labels come from the dbt weak-labeling models, as they would with real logs.
"""

import hashlib

import dagster as dg
from pandas.util import hash_pandas_object

from pipeline.catalog_tables import CATALOG_ASSET_KEYS, load_catalog
from query_understanding.markdown import markdown_table
from query_understanding.synth import generate_query_logs
from resources import DuckDBWarehouse

RAW_SCHEMA, RAW_TABLE = "raw", "query_logs"


class QueryLogsConfig(dg.Config):
    """Size and seed of the synthetic log; the same seed gives byte-identical logs."""

    n_events: int = 50_000
    seed: int = 20261129


@dg.asset(
    deps=CATALOG_ASSET_KEYS,
    group_name="raw",
    kinds={"python", "duckdb"},
    code_version="1",
)
def raw_query_logs(config: QueryLogsConfig, warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
    """Search events with the clicked product's brand, color and type (table ``raw.query_logs``)."""
    if config.n_events <= 0:
        raise dg.Failure(f"n_events must be positive, got {config.n_events}")
    logs = generate_query_logs(load_catalog(warehouse), n_events=config.n_events, seed=config.seed)
    warehouse.replace_table(RAW_SCHEMA, RAW_TABLE, logs)
    version = hashlib.sha256(hash_pandas_object(logs, index=False).values.tobytes()).hexdigest()[:16]
    sample = logs.head(10)[["query_text", "product_brand", "product_color", "product_type"]]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(logs),
            "sessions": int(logs["session_id"].nunique()),
            "distinct_queries": int(logs["query_text"].nunique()),
            "seed": config.seed,
            "sample": dg.MetadataValue.md(markdown_table(list(sample.columns), sample.itertuples(index=False))),
        },
        data_version=dg.DataVersion(version),
    )
