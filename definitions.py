"""The Dagster definitions of the query-understanding graph: assets, checks, resources, jobs.

``dagster dev`` (through workspace.yaml) and the tests load ``defs`` from here.
"""

import dagster as dg

from assets import crf, dbt_models, query_logs
from resources import DuckDBWarehouse, ModelStore, dbt_cli_resource

ALL_ASSETS = dg.load_assets_from_modules([dbt_models, query_logs, crf])

main_job = dg.define_asset_job(
    "main",
    selection=dg.AssetSelection.all(),
    description="Everything: catalog, logs, labeled datasets (later: models, comparison, bento).",
)

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=[main_job],
    resources={"warehouse": DuckDBWarehouse(), "dbt": dbt_cli_resource(), "model_store": ModelStore()},
    # DuckDB allows one writing process per file: run steps one after another, in process.
    executor=dg.in_process_executor,
)
