"""Raw search logs: synthesized from the catalog, as a click-log export would arrive.

In production this asset would be an ingestion job; here it synthesizes realistic sessions
(deterministic under a seed) from the merged catalog (seeds + product feed) so the whole graph
runs on a laptop. It writes no labels: labels come from the dbt weak-labeling models, as they
would with real logs. The user's own click logs (``QU_CLICK_LOGS``) are read by dbt
(``stg_click_logs``) and unioned with these in ``stg_query_logs``; ``synthesize: false`` writes
an empty table, so the datasets come from the user's logs alone.
"""

import hashlib

import dagster as dg
import pandas as pd
from pandas.util import hash_pandas_object
from pydantic import Field

from pipeline.catalog_tables import CATALOG_SNAPSHOT, load_catalog
from pipeline.dataset_metadata import source_column_descriptions
from pipeline.ui import OWNERS, table_metadata
from query_understanding.catalog import Catalog
from query_understanding.markdown import markdown_table
from query_understanding.synth import generate_query_logs
from resources import Warehouse, dbt_project

RAW_SCHEMA, RAW_TABLE = "raw", "query_logs"


class QueryLogsConfig(dg.Config):
    """Size and seed of the synthetic log; the same seed gives byte-identical logs."""

    n_events: int = Field(default=50_000, description="Search events to synthesize (positive).")
    seed: int = Field(default=20261129, description="Seed of the synthesizer: the same seed gives byte-identical logs.")
    synthesize: bool = Field(
        default=True,
        description=(
            "Synthesize click logs from the catalog. Off: raw.query_logs is written empty (same columns "
            "and types), so the datasets come from your own click logs (QU_CLICK_LOGS) alone."
        ),
    )


def empty_query_logs(catalog: Catalog, seed: int) -> pd.DataFrame:
    """No rows, the columns and dtypes of a synthesized log (one event generated, then dropped)."""
    return generate_query_logs(catalog, n_events=1, seed=seed).iloc[0:0].reset_index(drop=True)


@dg.asset(
    deps=[CATALOG_SNAPSHOT],
    group_name="raw",
    kinds={"python", "duckdb"},
    owners=OWNERS,
    code_version="2",
)
def raw_query_logs(config: QueryLogsConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Search events with the clicked product's brand, color and type (table ``raw.query_logs``)."""
    if config.n_events <= 0:
        raise dg.Failure(f"n_events must be positive, got {config.n_events}")
    catalog = load_catalog(warehouse)
    if config.synthesize:
        logs = generate_query_logs(catalog, n_events=config.n_events, seed=config.seed)
    else:
        logs = empty_query_logs(catalog, config.seed)
    warehouse.replace_table(RAW_SCHEMA, RAW_TABLE, logs)
    version = hashlib.sha256(hash_pandas_object(logs, index=False).values.tobytes()).hexdigest()[:16]
    sample = logs.head(10)[["query_text", "product_brand", "product_color", "product_type"]]
    return dg.MaterializeResult(
        metadata={
            **table_metadata(
                f"{RAW_SCHEMA}.{RAW_TABLE}",
                logs,
                source_column_descriptions(RAW_SCHEMA, RAW_TABLE, dbt_project().manifest_path),
            ),
            "synthesized": config.synthesize,
            "sessions": int(logs["session_id"].nunique()),
            "distinct_queries": int(logs["query_text"].nunique()),
            "seed": config.seed,
            "sample": dg.MetadataValue.md(markdown_table(list(sample.columns), sample.itertuples(index=False))),
        },
        data_version=dg.DataVersion(version),
    )
