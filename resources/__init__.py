"""Dagster resources: where the warehouse, the dbt project, the input files and the models live.

Resources hold plain fields with no environment lookups of their own: ``definitions.py``
configures them once from :class:`query_understanding.settings.Locations` (``dg.EnvVar`` where
a variable is set, the local default under ``data/`` otherwise), and tests pass temporary paths.
"""

from resources.annotation_workspace import AnnotationWorkspace
from resources.dbt_project import dbt_cli_resource, dbt_project
from resources.model_store import ModelStore
from resources.serving_endpoint import ServingEndpoint
from resources.source_files import SourceFiles
from resources.warehouse import DuckDBWarehouse, PostgresWarehouse, Warehouse

__all__ = [
    "AnnotationWorkspace",
    "DuckDBWarehouse",
    "ModelStore",
    "PostgresWarehouse",
    "ServingEndpoint",
    "SourceFiles",
    "Warehouse",
    "dbt_cli_resource",
    "dbt_project",
]
