"""Monitoring of the served traffic: the dbt marts over a prediction log, their asset checks, and
the annotation queue built from the same log.

A log that replays the training distribution passes every monitoring check; a log of very long
queries in which the model finds nothing fails the drift and entity-rate checks with a message
that names the metric. Both logs are written by the service's own PredictionLog; the marts are
built by a real ``dbt build`` into a copy of the session's warehouse (train_queries included).
"""

from __future__ import annotations

import json
import shutil

import dagster as dg
import duckdb
import pytest
from pipeline_support import resources_for, warehouse_file
from served_traffic import like_training, shifted, write_log

MONITORING_MODELS = [
    "stg_predictions",
    "int_prediction_entities",
    "monitoring_daily",
    "monitoring_latency",
    "monitoring_drift",
    "monitoring_alerts",
]


def build_monitoring(first_run, tmp_path_factory, name: str, days: dict[str, list]) -> tuple:
    """Copy the session warehouse, log ``days`` ({day: queries}), build the monitoring marts."""
    from dagster_dbt import get_asset_key_for_model

    from assets import dbt_models, monitoring_checks

    source_root, annotated, _ = first_run
    root = tmp_path_factory.mktemp(name)
    warehouse_file(root).parent.mkdir(parents=True)
    shutil.copy(warehouse_file(source_root), warehouse_file(root))
    log_dir = root / "prediction_logs"
    for day, queries in days.items():
        write_log(log_dir, queries, day)
    keys = [get_asset_key_for_model([dbt_models.query_dataset_models], m) for m in MONITORING_MODELS]
    result = dg.materialize(
        [dbt_models.query_dataset_models, *monitoring_checks.monitoring_checks],
        resources=resources_for(root, annotated_queries=annotated, prediction_log_dir=log_dir),
        selection=dg.AssetSelection.assets(*keys),
    )
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    return root, result, checks


def train_sample(first_run, n: int = 400) -> list:
    root = first_run[0]
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        return connection.sql(f"select tokens, tags from main.train_queries order by query_id limit {n}").fetchall()


@pytest.fixture(scope="module")
def unshifted(first_run, tmp_path_factory):
    return build_monitoring(
        first_run, tmp_path_factory, "unshifted", {"2026-11-30": like_training(train_sample(first_run))}
    )


@pytest.fixture(scope="module")
def drifted(first_run, tmp_path_factory):
    sample = like_training(train_sample(first_run))
    days = {"2026-11-30": sample, "2026-12-01": shifted(len(sample))}
    return build_monitoring(first_run, tmp_path_factory, "drifted", days)


def test_traffic_like_the_training_data_passes_every_monitoring_check(unshifted):
    _, result, checks = unshifted
    assert result.success
    monitoring = {name: c for name, c in checks.items() if name.startswith("monitoring_")}
    assert set(monitoring) == {
        f"monitoring_{f}" for f in ("volume", "entity_rates", "confidence", "novel_share", "latency", "drift")
    }
    failed = {name: c.description for name, c in monitoring.items() if not c.passed}
    assert failed == {}


def test_the_daily_mart_reports_volume_rates_and_confidence(unshifted):
    root, _, _ = unshifted
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        day = connection.sql(
            "select n_predictions, type_entity_rate, mean_confidence, p10_confidence, novel_share "
            "from main.monitoring_daily"
        ).fetchall()
        latency = connection.sql(
            "select model_tag, latency_p50_ms, latency_p99_ms from main.monitoring_latency"
        ).fetchall()
    assert len(day) == 1
    n, type_rate, mean_conf, p10, novel = day[0]
    assert n == 400 and 0 < type_rate <= 1 and novel == 0
    assert mean_conf == pytest.approx(0.95) and p10 == pytest.approx(0.95)
    assert latency == [("qu-crf:crf-monitoringtest", 2.0, 2.0)]


def test_long_entity_free_traffic_fails_the_drift_and_entity_rate_checks_naming_the_metric(drifted):
    _, result, checks = drifted
    assert result.success, "monitoring severity never fails the run"
    drift, rates = checks["monitoring_drift"], checks["monitoring_entity_rates"]
    assert not drift.passed and drift.severity == dg.AssetCheckSeverity.ERROR
    assert "psi_token_length" in drift.description and "psi_confidence" not in drift.description
    assert not rates.passed and rates.severity == dg.AssetCheckSeverity.ERROR
    assert "entity_rate_delta[TYPE]" in rates.description
    assert checks["monitoring_volume"].passed, "the volume did not change"


def test_thresholds_are_dbt_vars_a_looser_one_turns_the_error_into_a_warning(drifted):
    from resources import dbt_cli_resource

    root, _, _ = drifted
    relation = "select value, warn_threshold, error_threshold, status from main.monitoring_alerts where metric = 'psi_token_length'"
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        psi, warn, error, status = connection.sql(relation).fetchall()[0]
    assert (warn, error, status) == (0.1, 0.25, "error") and psi > error
    dbt_vars = {
        "duckdb_path": str(warehouse_file(root)),
        "prediction_log_dir": str(root / "prediction_logs"),
        "monitoring_thresholds": {"psi_token_length": {"warn": 0.1, "error": psi + 1}},
    }
    dbt_cli_resource().cli(["run", "--select", "monitoring_alerts", "--vars", json.dumps(dbt_vars)]).wait()
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        assert connection.sql(relation).fetchall()[0][2:] == (psi + 1, "warn")


def test_the_annotation_queue_puts_the_unsure_traffic_first_as_label_studio_tasks(drifted):
    from pipeline_support import resources_for

    from assets.annotation_queue import annotation_queue

    root, _, _ = drifted
    resources = resources_for(root, prediction_log_dir=root / "prediction_logs")
    result = dg.materialize(
        [annotation_queue], resources=resources, run_config={"ops": {"annotation_queue": {"config": {"limit": 50}}}}
    )
    assert result.success
    tasks = json.loads((root / "annotation" / "queue" / "label_studio_tasks.json").read_text())
    lines = (root / "annotation" / "queue" / "queue.jsonl").read_text().splitlines()
    assert len(tasks) == len(lines) == 50
    assert all(len(t["data"]["text"].split()) == 14 for t in tasks), (
        "entity-free (unsure) queries outrank confident ones"
    )
    assert all(t["predictions"][0]["result"] == [] for t in tasks)


def test_the_monitoring_report_shows_the_last_days_as_a_table_and_a_chart(drifted):
    from pipeline_support import materializations, resources_for

    from assets.monitoring_report import monitoring_report

    root, _, _ = drifted
    result = dg.materialize(
        [monitoring_report], resources=resources_for(root, prediction_log_dir=root / "prediction_logs")
    )
    meta = materializations(result)["monitoring_report"].metadata
    assert meta["days"].value == 2 and meta["latest_day"].value == "2026-12-01"
    assert meta["latest_no_entity_rate"].value == pytest.approx(1.0), "the shifted day has no entities"
    table = meta["daily"].value
    assert "| 2026-11-30 | 400 |" in table and "| 2026-12-01 |" in table
    assert meta["chart_png"].value.startswith("![monitoring, last weeks](data:image/png;base64,")
