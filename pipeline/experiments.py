"""The experiment harness's warehouse side: the results table and the synthetic rows.

``experiments.experiment_results`` is append-only: one row per (variant, seed) run, columns
:data:`~query_understanding.experiments.results.RESULT_COLUMNS`. Synthetic training rows are
read from the main job's ``train_queries`` (what the transformer and CRF assets train on), so an
experiment with synthetic rows needs one dbt build of the data assets first.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from pipeline.dataset_metadata import relation_name
from pipeline.training_data import SPLIT_MODELS
from query_understanding.example import Example
from query_understanding.experiments.results import COLUMN_TYPES, RESULT_COLUMNS
from resources import DuckDBWarehouse, Warehouse, dbt_project

SCHEMA, TABLE = "experiments", "experiment_results"
RELATION = f"{SCHEMA}.{TABLE}"


def append_results(warehouse: DuckDBWarehouse, rows: Iterable[dict]) -> int:
    """Append rows (creating the table from the first batch); returns how many were written.
    DuckDB only: the harness (scripts/experiment.py) writes to a local warehouse file."""
    frame = pd.DataFrame(list(rows), columns=list(RESULT_COLUMNS))
    if frame.empty:
        return 0
    with warehouse.connect() as connection:
        connection.execute(f"create schema if not exists {SCHEMA}")
        connection.register("incoming_rows", frame)
        exists = connection.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [SCHEMA, TABLE]
        ).fetchone()[0]
        if not exists:
            columns = ", ".join(f"{name} {kind}" for name, kind in COLUMN_TYPES.items())
            connection.execute(f"create table {RELATION} ({columns})")
        connection.execute(f"insert into {RELATION} by name select * from incoming_rows")
        connection.unregister("incoming_rows")
    return len(frame)


def read_results(warehouse: Warehouse) -> list[dict]:
    """Every stored row in run order; empty when no experiment has run yet."""
    try:
        frame = warehouse.read_table(RELATION, order_by="created_at")
    except Exception as exc:  # noqa: BLE001  duckdb raises CatalogException for a missing table
        if "does not exist" in str(exc) or "not found" in str(exc).lower():
            return []
        raise
    return frame.astype(object).where(frame.notna(), None).to_dict("records")  # SQL NULL -> None, not NaN


def synthetic_train_rows(warehouse: Warehouse) -> list[Example]:
    """The synthetic (weak-label) rows of the warehouse's train split, in query-id order."""
    relation = relation_name(SPLIT_MODELS["train"], dbt_project().manifest_path)
    frame = warehouse.read_table(relation, order_by="query_id")  # the order load_splits reads
    return [Example.from_dict(row) for row in frame.to_dict("records") if row["source"] == "synthetic"]
