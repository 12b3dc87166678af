"""What every asset shows in the Dagster UI beside its own figures: its owner and, for an asset
that writes a warehouse table, the table's column schema (``dagster/column_schema``).

The dbt assets get the same owner from the translator (``assets/dbt_models.py``) and their
column schema from the ``data_type`` of the dbt YAML columns.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
import pandas as pd

#: The team that owns every asset of the graph (shown on each asset page and in the catalog).
OWNERS = ["team:query-understanding"]


def _column_type(dtype: object) -> str:
    """A SQL-ish name for a pandas dtype, as DuckDB stores the column."""
    name = str(dtype)
    if name in ("object", "string", "str"):
        return "varchar"
    if name.startswith(("int", "Int", "uint", "UInt")):
        return "bigint"
    if name.startswith(("float", "Float")):
        return "double"
    if name in ("bool", "boolean"):
        return "boolean"
    if name.startswith("datetime64"):
        return "timestamp"
    return name


def table_schema(frame: pd.DataFrame, descriptions: Mapping[str, str] | None = None) -> dg.TableSchema:
    """The column schema of the table ``frame`` is written as (names, types, descriptions)."""
    descriptions = descriptions or {}
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=str(name), type=_column_type(dtype), description=descriptions.get(str(name)))
            for name, dtype in frame.dtypes.items()
        ]
    )


def table_metadata(relation: str, frame: pd.DataFrame, descriptions: Mapping[str, str] | None = None) -> dict:
    """``dagster/column_schema``, ``dagster/table_name`` and ``dagster/row_count`` of a written table."""
    return {
        "dagster/column_schema": table_schema(frame, descriptions),
        "dagster/table_name": relation,
        "dagster/row_count": len(frame),
    }
