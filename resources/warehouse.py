"""The warehouse resources: one embedded DuckDB file by default, PostgreSQL in production.

Both have the same three methods the assets use (:meth:`read_table`, :meth:`replace_table`,
:meth:`dbt_vars`); ``definitions.py`` picks one with ``QU_WAREHOUSE`` and the assets are typed
with :data:`Warehouse`. DuckDB allows one writing process per file, so with it the graph's job runs
steps in process and every asset opens short-lived connections instead of holding one; PostgreSQL
takes concurrent writers, so with it steps run in parallel processes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import dagster as dg
import duckdb
import numpy as np
import pandas as pd


class Warehouse(dg.ConfigurableResource):
    """What the assets are typed with: either warehouse below (``QU_WAREHOUSE`` picks one)."""

    def dbt_vars(self) -> dict[str, str]:
        """The dbt vars that point ``dbt/profiles.yml`` at this warehouse."""
        raise NotImplementedError

    def read_table(self, relation: str, order_by: str | None = None) -> pd.DataFrame:
        """All rows of ``relation``; in ``order_by`` order when given (a scan order is not stable
        across runs, so anything that trains on the rows must ask for an order)."""
        raise NotImplementedError

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame) -> None:
        """Atomically replace ``schema.table`` with ``frame``."""
        raise NotImplementedError


class DuckDBWarehouse(Warehouse):
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


class PostgresWarehouse(Warehouse):
    """A PostgreSQL database shared by the Python assets and dbt (target ``postgres``).

    Connection fields left empty fall back to libpq's own variables (``PGHOST``, ``PGPORT``,
    ``PGUSER``, ``PGDATABASE``), as in ``dbt/profiles.yml`` and the Dagster instance; the password
    is never a field: libpq reads ``PGPASSWORD`` or ``~/.pgpass``. The database must use the C
    collation (text sorted byte-wise, as DuckDB does), so ties in the SQL break the same way and
    the datasets match DuckDB's row for row.
    """

    host: str = ""
    port: str = ""
    user: str = ""
    dbname: str = ""
    dbt_schema: str = "public"
    """Schema of the dbt models (``QU_POSTGRES_SCHEMA``); sources stay in ``raw`` and ``registry``."""

    def _params(self) -> dict[str, str]:
        fields = {"host": self.host, "port": self.port, "user": self.user, "dbname": self.dbname}
        return {key: value for key, value in fields.items() if value}

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A psycopg2 connection (numeric read as float), committed on success, closed after."""
        import psycopg2
        import psycopg2.extensions

        connection = psycopg2.connect(**self._params())
        numeric = psycopg2.extensions.new_type(
            psycopg2.extensions.DECIMAL.values, "numeric_as_float", lambda v, _: None if v is None else float(v)
        )
        psycopg2.extensions.register_type(numeric, connection)
        try:
            with connection:  # one transaction: commit on success, roll back on an exception
                yield connection
        finally:
            connection.close()

    def dbt_vars(self) -> dict[str, str]:
        """The connection fields ``dbt/profiles.yml`` reads as vars (the ones set; never a password)."""
        params = {f"postgres_{key}": value for key, value in self._params().items()}
        return {**params, "postgres_schema": self.dbt_schema}

    def read_table(self, relation: str, order_by: str | None = None) -> pd.DataFrame:
        """All rows of ``relation`` (arrays as lists, jsonb as Python objects), in ``order_by`` order."""
        order = f" order by {order_by}" if order_by else ""
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(f"select * from {relation}{order}")
            columns = [d.name for d in cursor.description]
            return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame) -> None:
        """Replace ``schema.table`` with ``frame`` in one transaction (no half-written table).

        Same columns and types as before: the rows are swapped (truncate + insert), so views on
        the table (dbt staging) survive, as with DuckDB's ``create or replace``; otherwise the
        table is dropped with what depends on it and created anew (dbt rebuilds those views).
        """
        from psycopg2.extras import execute_values

        columns = [(str(name), postgres_type(frame[name])) for name in frame.columns]
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(f"create schema if not exists {schema}")
            cursor.execute(
                "select attname, format_type(atttypid, atttypmod) from pg_attribute"
                " where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped order by attnum",
                (f'"{schema}"."{table}"',),
            )
            existing = [(name, kind) for name, kind in cursor.fetchall()]
            if existing and existing == columns:
                cursor.execute(f"truncate table {schema}.{table}")
            else:
                cursor.execute(f"drop table if exists {schema}.{table} cascade")
                definition = ", ".join(f'"{name}" {kind}' for name, kind in columns)
                cursor.execute(f"create table {schema}.{table} ({definition})")
            if len(frame):
                names = ", ".join(f'"{name}"' for name, _ in columns)
                execute_values(
                    cursor, f"insert into {schema}.{table} ({names}) values %s", _rows(frame), page_size=5000
                )


def postgres_type(column: pd.Series) -> str:
    """The PostgreSQL type of a frame column (as ``format_type`` spells it)."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "timestamp with time zone"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "timestamp without time zone"
    values = column.dropna()
    first = values.iloc[0] if len(values) else None
    if isinstance(first, (list, tuple, np.ndarray)):
        return "text[]"
    if isinstance(first, dict):
        return "jsonb"
    if isinstance(first, (bool, np.bool_)):
        return "boolean"
    if isinstance(first, (int, np.integer)):
        return "bigint"
    if isinstance(first, (float, np.floating, decimal.Decimal)):
        return "double precision"
    if isinstance(first, dt.datetime):
        return "timestamp without time zone"
    return "text"


def _value(value: Any) -> Any:
    """A frame cell as psycopg2 adapts it (numpy scalars, pandas NA and timestamps converted)."""
    if isinstance(value, np.ndarray):
        return [_value(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return json.dumps(value)
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _rows(frame: pd.DataFrame) -> Iterator[tuple]:
    for row in frame.astype(object).itertuples(index=False, name=None):
        yield tuple(_value(v) for v in row)
