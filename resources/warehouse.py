"""The warehouse resource: one embedded DuckDB file by default.

DuckDB allows one writing process per file, so the graph's job runs steps in process and every
asset opens short-lived connections through :meth:`DuckDBWarehouse.connect` instead of holding one.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb
import pandas as pd


class DuckDBWarehouse(dg.ConfigurableResource):
    """Embedded DuckDB warehouse shared by the Python assets and dbt."""

    path: str
    """DuckDB file (``QU_DUCKDB_PATH``, default ``data/warehouse.duckdb``)."""

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(self.path, read_only=read_only)
        try:
            yield connection
        finally:
            connection.close()

    def dbt_vars(self) -> dict[str, str]:
        """The dbt var that points ``profiles.yml`` at this file (its folder is created first:
        DuckDB creates the file, not its folder), so the resource alone says where dbt writes."""
        path = Path(self.path).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"duckdb_path": str(path)}

    def read_table(self, relation: str, order_by: str | None = None) -> pd.DataFrame:
        """All rows of ``relation``; in ``order_by`` order when given (DuckDB's scan order is not
        stable across runs, so anything that trains on the rows must ask for an order)."""
        order = f" order by {order_by}" if order_by else ""
        with self.connect(read_only=True) as connection:
            return connection.sql(f"select * from {relation}{order}").df()

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame) -> None:
        """Atomically replace ``schema.table`` with ``frame`` (a transaction: no half-written table)."""
        with self.connect() as connection:
            connection.execute(f"create schema if not exists {schema}")
            connection.begin()
            connection.register("incoming_frame", frame)
            connection.execute(f"create or replace table {schema}.{table} as select * from incoming_frame")
            connection.unregister("incoming_frame")
            connection.commit()
