"""The experiment results table in DuckDB and the ``experiment_report`` asset that shows it."""

from __future__ import annotations

from datetime import datetime

import dagster as dg

from assets.experiments import experiment_report
from pipeline.experiments import RELATION, append_results, read_results
from query_understanding.experiments.results import RESULT_COLUMNS
from resources import DuckDBWarehouse


def fake_row(variant: str, seed: int, micro: float) -> dict:
    row = {column: None for column in RESULT_COLUMNS}
    numbers = {c: 0.5 for c in RESULT_COLUMNS if c.startswith(("precision_", "recall_", "f1_", "micro_", "macro_"))}
    row.update(numbers, variant=variant, model_kind="crf", config="{}", seed=seed, micro_f1=micro)
    row.update(slices="{}", n_train=10, train_seconds=1.0, created_at=datetime(2026, 1, seed), code_version="v")
    return row


def test_rows_are_appended_across_runs_and_read_back_in_run_order(tmp_path):
    warehouse = DuckDBWarehouse(path=str(tmp_path / "w.duckdb"))
    assert read_results(warehouse) == []
    append_results(warehouse, [fake_row("default", 2, 0.6)])  # a CRF row: no best epoch
    append_results(warehouse, [fake_row("default", 1, 0.7), {**fake_row("wider", 3, 0.8), "best_epoch": 2}])
    rows = read_results(warehouse)
    assert [(r["variant"], r["seed"]) for r in rows] == [("default", 1), ("default", 2), ("wider", 3)]
    assert list(rows[0]) == list(RESULT_COLUMNS) and rows[2]["best_epoch"] == 2


def test_the_report_asset_shows_the_table_and_a_number_per_variant(tmp_path):
    warehouse = DuckDBWarehouse(path=str(tmp_path / "w.duckdb"))
    empty = dg.materialize([experiment_report], resources={"warehouse": warehouse})
    assert RELATION in empty.asset_materializations_for_node("experiment_report")[0].metadata["table"].value
    append_results(warehouse, [fake_row("default", 1, 0.6), fake_row("default", 2, 0.8), fake_row("wider", 3, 0.75)])
    result = dg.materialize([experiment_report], resources={"warehouse": warehouse})
    metadata = result.asset_materializations_for_node("experiment_report")[0].metadata
    assert "0.700 ± 0.141" in metadata["table"].value and "+0.050" in metadata["table"].value
    assert metadata["crf/wider/micro_f1"].value == 0.75
    assert metadata["chart"].value.startswith("![experiments](data:image/png;base64,")
