"""Helpers for materializing the graph in process (imported by the pipeline tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
from small_configs import SMALL_LOGS, run_config

__all__ = ["SMALL_LOGS", "run_config"]


def warehouse_file(root: Path) -> Path:
    """The warehouse inside a folder that does not exist yet, as in a fresh clone (no data/)."""
    return root / "warehouse" / "warehouse.duckdb"


def resources_for(
    root: Path,
    annotated_queries: str = "",
    prediction_log_dir: Path | None = None,
    dbt_project_dir: Path | None = None,
    service_url: str = "",
    **byo_files: str,
) -> dict:
    """The resources ``definitions.py`` configures, pointed at folders under ``root``.

    ``byo_files``: the bring-your-own fields of ``SourceFiles`` (``catalog_products``,
    ``catalog_aliases``, ``catalog_mode``, ``click_logs``).
    """
    from resources import (
        AnnotationWorkspace,
        DuckDBWarehouse,
        ModelStore,
        ServingEndpoint,
        SourceFiles,
        dbt_cli_resource,
    )

    return {
        "warehouse": DuckDBWarehouse(path=str(warehouse_file(root))),
        "dbt": dbt_cli_resource(dbt_project_dir),
        "source_files": SourceFiles(
            prediction_log_dir=str(prediction_log_dir or root / "prediction_logs"),
            annotated_queries=annotated_queries,
            annotation_dir=str(root / "annotation"),
            **byo_files,
        ),
        "model_store": ModelStore(root=str(root / "models"), registry_home=str(root / "registry")),
        "annotation": AnnotationWorkspace(root=str(root / "annotation")),
        "service": ServingEndpoint(url=service_url),
    }


def data_assets():
    from assets import catalog, dbt_models, query_logs

    return [
        dbt_models.catalog_seeds,
        catalog.catalog_snapshot,
        query_logs.raw_query_logs,
        dbt_models.query_dataset_models,
    ]


def materializations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetMaterialization]:
    """Latest materialization per asset key (as a ``/``-joined string)."""
    out = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        out[mat.asset_key.to_user_string()] = mat
    return out


def copy_dbt_project(destination: Path) -> Path:
    from resources.dbt_project import DBT_PROJECT_DIR

    shutil.copytree(DBT_PROJECT_DIR, destination, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return destination
