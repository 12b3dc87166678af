"""The feedback loop: served predictions, logged by the service's own PredictionLog, joined in dbt
with later clicks on the same query into new weakly labeled rows (`feedback_weak_labels`).

The rows are written through ``bentos.prediction_log.PredictionLog`` (what ``/parse`` uses;
tests/e2e checks that a real server writes them) with timestamps an hour before real clicks of
the synthetic log, since a server's "now" is later than every synthetic click.
"""

from __future__ import annotations

from datetime import timedelta, timezone

import dagster as dg
import duckdb
import pytest
from pipeline_support import resources_for, warehouse_file

from bentos.prediction_log import PredictionLog, utc_timestamp

MODEL_TAG = "qu-crf:crf-feedbacktest"


@pytest.fixture(scope="module")
def feedback_run(first_run, tiny_crf, tmp_path_factory):
    root, annotated, _ = first_run
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        clicks = connection.sql(
            "select query_text, min(event_ts) as first_click from raw.query_logs "
            "group by query_text order by count(*) desc, query_text limit 20"
        ).fetchall()
    log_dir = tmp_path_factory.mktemp("prediction_logs")
    log = PredictionLog(log_dir)
    for i, (query, first_click) in enumerate(clicks):
        parsed = [p.to_dict() for p in tiny_crf.parse([query])]
        ts = utc_timestamp(first_click.replace(tzinfo=timezone.utc) - timedelta(hours=1))  # warehouse times are UTC
        log.append(PredictionLog.make_rows(f"req-{i}", parsed, MODEL_TAG, latency_ms=1.0, ts=ts))
    log.close()
    from assets import dbt_models

    resources = resources_for(root, annotated_queries=annotated, prediction_log_dir=log_dir)
    result = dg.materialize([dbt_models.query_dataset_models], resources=resources)
    return root, clicks, result


def test_logged_predictions_become_weakly_labeled_feedback_rows(feedback_run):
    root, clicks, result = feedback_run
    assert result.success
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        logged = connection.sql("select count(*) from main.stg_predictions").fetchall()[0][0]
        rows = connection.sql(
            "select query_text, tokens, tags, model_tag, n_clicks, agrees_with_prediction "
            "from main.feedback_weak_labels"
        ).fetchall()
    assert logged == len(clicks)
    assert {r[0] for r in rows} == {q for q, _ in clicks}, "every logged query had later clicks"
    for _, tokens, tags, model_tag, n_clicks, _ in rows:
        assert len(tokens) == len(tags) and model_tag == MODEL_TAG and n_clicks >= 1
    assert any(any(t != "O" for t in r[2]) for r in rows), "clicks must label some entities"


def test_feedback_checks_pass(feedback_run):
    _, _, result = feedback_run
    failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert failed == []
