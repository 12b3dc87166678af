"""Dagster resources: where the warehouse, the dbt project and the model store live.

Every resource has a local default under the project's ``data/`` folder (overridable by
environment variables), so ``dagster dev`` works on a laptop with no configuration.
"""

from resources.dbt_project import DBT_PROJECT, dbt_cli_resource
from resources.model_store import ModelStore
from resources.settings import DATA_DIR, PROJECT_ROOT
from resources.warehouse import DuckDBWarehouse

__all__ = ["DATA_DIR", "DBT_PROJECT", "PROJECT_ROOT", "DuckDBWarehouse", "ModelStore", "dbt_cli_resource"]
