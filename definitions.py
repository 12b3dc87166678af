"""The Dagster definitions of the query-understanding graph: assets, checks, resources, jobs.

``dagster dev`` (through workspace.yaml) and the tests load ``defs`` from here. Every setting is
resolved here, once: the offline switches, then the resources from
:class:`query_understanding.settings.Locations` (``dg.EnvVar`` where the variable is set, so the
UI shows where a value comes from; the local default under ``data/`` otherwise).
"""

import os

import dagster as dg

import assets
from automation import annotated_queries_sensor, catalog_automation, daily_retrain, prediction_log_sensor, retrain_job
from query_understanding import offline
from query_understanding.settings import Locations
from resources import (
    AnnotationWorkspace,
    DuckDBWarehouse,
    ModelStore,
    PostgresWarehouse,
    ServingEndpoint,
    SourceFiles,
    Warehouse,
    dbt_cli_resource,
)

# Dagster is loaded by now; what must see the switches starts later: dbt (a subprocess),
# transformers and ONNX Runtime (imported inside the model steps).
offline.apply()


def setting(name: str, default: object) -> str | dg.EnvVar:
    """``dg.EnvVar(name)`` when the variable is set, else the local default as a string."""
    return dg.EnvVar(name) if os.environ.get(name) else str(default)


def warehouse(locations: Locations) -> Warehouse:
    """The embedded DuckDB file, or with ``QU_WAREHOUSE=postgres`` the PostgreSQL database that
    libpq's variables name (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGDATABASE``; the password from
    ``PGPASSWORD`` or ``~/.pgpass``, never a resource field)."""
    if locations.warehouse_kind == "postgres":
        return PostgresWarehouse(
            host=setting("PGHOST", ""),
            port=setting("PGPORT", ""),
            user=setting("PGUSER", ""),
            dbname=setting("PGDATABASE", ""),
            dbt_schema=setting("QU_POSTGRES_SCHEMA", locations.postgres_schema),
        )
    return DuckDBWarehouse(path=setting("QU_DUCKDB_PATH", locations.warehouse))


def executor(locations: Locations) -> dg.ExecutorDefinition:
    """DuckDB allows one writing process per file: steps run one after another, in process.
    PostgreSQL takes concurrent writers: steps run in parallel processes (CRF and transformer
    train side by side); ``execution: {config: {in_process: {}}}`` in a run's config still runs
    it in process."""
    if locations.warehouse_kind == "postgres":
        return dg.multi_or_in_process_executor
    return dg.in_process_executor


def resources(locations: Locations) -> dict:
    return {
        "warehouse": warehouse(locations),
        "dbt": dbt_cli_resource(),
        "source_files": SourceFiles(
            prediction_log_dir=setting("QU_PREDICTION_LOG_DIR", locations.prediction_log_dir),
            annotated_queries=setting("QU_ANNOTATED_QUERIES", locations.annotated_queries),
            annotation_dir=setting("QU_ANNOTATION_DIR", locations.annotation_dir),
            catalog_products=setting("QU_CATALOG_PRODUCTS", locations.catalog_products),
            catalog_aliases=setting("QU_CATALOG_ALIASES", locations.catalog_aliases),
            catalog_mode=setting("QU_CATALOG_MODE", locations.catalog_mode),
            click_logs=setting("QU_CLICK_LOGS", locations.click_logs),
        ),
        "model_store": ModelStore(
            root=setting("QU_MODEL_DIR", locations.model_dir),
            registry_home=setting("QU_REGISTRY_HOME", locations.registry_home),
        ),
        "annotation": AnnotationWorkspace(root=setting("QU_ANNOTATION_DIR", locations.annotation_dir)),
        # The running service the champion asks to reload; empty URL: no service, skipped.
        "service": ServingEndpoint(
            url=setting("QU_SERVICE_URL", locations.service_url),
            admin_token=setting("QU_ADMIN_TOKEN", ""),
        ),
    }


main_job = dg.define_asset_job(
    "main",
    selection=dg.AssetSelection.all(),
    description="Catalog -> logs -> labeled splits -> CRF, transformer, ONNX -> comparison -> champion -> bento.",
)

LOCATIONS = Locations.from_env()

defs = dg.Definitions(
    assets=dg.load_assets_from_package_module(assets, include_specs=True),
    asset_checks=dg.load_asset_checks_from_package_module(assets),
    jobs=[main_job, retrain_job],
    # The closed loop (README): new log lines -> feedback / monitoring marts; new annotated data
    # or the daily schedule -> retrain. All stopped by default; turn them on in the UI.
    sensors=[prediction_log_sensor, annotated_queries_sensor, catalog_automation],
    schedules=[daily_retrain],
    resources=resources(LOCATIONS),
    executor=executor(LOCATIONS),
)
