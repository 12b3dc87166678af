"""The Dagster definitions of the query-understanding graph: assets, checks, resources, jobs.

``dagster dev`` (through workspace.yaml) and the tests load ``defs`` from here.
"""

import dagster as dg

from assets import bento, comparison, crf, dbt_models, onnx, query_logs, registry, transformer
from resources import DuckDBWarehouse, ModelStore, dbt_cli_resource

ASSET_MODULES = [dbt_models, query_logs, crf, transformer, onnx, comparison, registry, bento]

main_job = dg.define_asset_job(
    "main",
    selection=dg.AssetSelection.all(),
    description="Catalog -> logs -> labeled splits -> CRF, transformer, ONNX -> comparison -> champion -> bento.",
)

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(ASSET_MODULES),
    asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
    jobs=[main_job],
    resources={"warehouse": DuckDBWarehouse(), "dbt": dbt_cli_resource(), "model_store": ModelStore()},
    # DuckDB allows one writing process per file: run steps one after another, in process.
    executor=dg.in_process_executor,
)
