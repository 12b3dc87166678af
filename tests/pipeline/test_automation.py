"""The closed loop's automation, evaluated against temporary folders: sensors, schedule, retries.

Each sensor is evaluated as the daemon would (``dg.build_sensor_context`` with a real test
instance and the ``source_files`` resource pointing at a tmp folder): nothing new is a
SkipReason, a new file one RunRequest with the right selection and a cursor that moves, so the
next evaluation skips again.
"""

import json
import os

import dagster as dg
import pytest

import definitions
from automation import FEEDBACK_SELECTION, annotated_queries_sensor, daily_retrain, prediction_log_sensor
from resources import SourceFiles


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


def evaluate(sensor, instance, cursor=None, **source_files) -> dg.SensorResult:
    resources = {
        "source_files": SourceFiles(
            prediction_log_dir=source_files.pop("prediction_log_dir", "/nonexistent"), **source_files
        )
    }
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources=resources, definitions=definitions.defs
    )
    return sensor(context)


def write_part(folder, day: str, line: str = '{"query": "x"}\n', mtime: float | None = None):
    path = folder / f"date={day}" / "part-1.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(line)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_no_prediction_log_is_a_skip(instance, tmp_path):
    result = evaluate(prediction_log_sensor, instance, prediction_log_dir=str(tmp_path / "missing"))
    assert result.run_requests == [] and "no new prediction-log files" in result.skip_reason.skip_message


def test_a_new_prediction_log_file_requests_the_feedback_and_monitoring_marts(instance, tmp_path):
    path = write_part(tmp_path, "2026-12-01", mtime=1_000)
    result = evaluate(prediction_log_sensor, instance, prediction_log_dir=str(tmp_path))
    (request,) = result.run_requests
    names = {key.to_user_string() for key in request.asset_selection}
    assert {
        "feedback_weak_labels",
        "novel_entities",
        "monitoring_alerts",
        "monitoring_drift",
        "annotation_queue",
    } <= names
    assert not names & {"train_queries", "crf_tagger", "champion", "bento"}, "new traffic never retrains"
    assert json.loads(result.cursor) == {"mtime": 1_000, "path": str(path)}
    assert request.run_key == f"{path}@1000.0"

    again = evaluate(prediction_log_sensor, instance, cursor=result.cursor, prediction_log_dir=str(tmp_path))
    assert again.run_requests == [] and again.skip_reason is not None and again.cursor == result.cursor


def test_appended_lines_and_a_new_day_both_count_as_new_traffic(instance, tmp_path):
    first = evaluate(prediction_log_sensor, instance, prediction_log_dir=str(tmp_path), cursor=None)
    assert first.skip_reason is not None
    write_part(tmp_path, "2026-12-01", mtime=1_000)
    cursor = evaluate(prediction_log_sensor, instance, prediction_log_dir=str(tmp_path)).cursor
    appended = write_part(tmp_path, "2026-12-01", mtime=2_000)
    after_append = evaluate(prediction_log_sensor, instance, cursor=cursor, prediction_log_dir=str(tmp_path))
    assert after_append.run_requests[0].run_key == f"{appended}@2000.0"
    new_day = write_part(tmp_path, "2026-12-02", mtime=3_000)
    after_day = evaluate(prediction_log_sensor, instance, cursor=after_append.cursor, prediction_log_dir=str(tmp_path))
    assert after_day.run_requests[0].tags["qu/newest_file"] == str(new_day)


def test_the_feedback_selection_resolves_in_the_graph_and_includes_the_monitoring_checks():
    graph = definitions.defs.get_repository_def().asset_graph
    keys = FEEDBACK_SELECTION.resolve(graph)
    assert len(keys) == 11
    checks = {c.name for c in FEEDBACK_SELECTION.resolve_checks(graph)}
    assert {"monitoring_drift", "monitoring_volume"} <= checks


def test_a_new_annotated_file_requests_a_retrain_and_excluded_files_do_not(instance, tmp_path):
    pattern = str(tmp_path / "*.jsonl")
    assert evaluate(annotated_queries_sensor, instance, annotated_queries=pattern).skip_reason is not None
    (tmp_path / "queryner_full_train.jsonl").write_text("{}\n")
    assert evaluate(annotated_queries_sensor, instance, annotated_queries=pattern).skip_reason is not None
    new = tmp_path / "label_studio_abc.jsonl"
    new.write_text("{}\n")
    result = evaluate(annotated_queries_sensor, instance, annotated_queries=pattern)
    (request,) = result.run_requests
    assert annotated_queries_sensor.job_name == "retrain" and request.tags["qu/newest_file"] == str(new)
    assert evaluate(annotated_queries_sensor, instance, cursor=result.cursor, annotated_queries=pattern).skip_reason


def test_no_annotated_glob_configured_is_a_skip(instance):
    assert evaluate(annotated_queries_sensor, instance, annotated_queries="").skip_reason is not None


def test_sensors_and_the_daily_retrain_are_registered_and_start_stopped():
    repository = definitions.defs.get_repository_def()
    assert {s.name for s in repository.sensor_defs} >= {
        "prediction_log_sensor",
        "annotated_queries_sensor",
        "catalog_automation",
    }
    schedule = repository.get_schedule_def("daily_retrain")
    assert schedule.job_name == "retrain" and schedule.cron_schedule == "0 3 * * *"
    assert daily_retrain.default_status == dg.DefaultScheduleStatus.STOPPED
    assert all(s.default_status == dg.DefaultSensorStatus.STOPPED for s in repository.sensor_defs)


def test_the_bento_build_retries_transient_failures():
    bento = definitions.defs.get_assets_def("bento")
    policy = bento.op.retry_policy
    assert policy is not None and policy.max_retries == 2


def test_the_catalog_readers_follow_the_catalog_by_declarative_automation():
    repository = definitions.defs.get_repository_def()
    graph = repository.asset_graph
    for name in ("catalog_snapshot", "linking_index"):
        condition = graph.get(dg.AssetKey(name)).automation_condition
        assert condition is not None and condition.get_label() == "eager", name
    sensor = repository.get_sensor_def("catalog_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    targeted = sensor.asset_selection.resolve(graph)
    assert targeted == {dg.AssetKey("catalog_snapshot"), dg.AssetKey("linking_index")}, "nothing that retrains"


def test_a_label_studio_import_is_an_annotated_file_without_configuring_a_glob(instance, tmp_path):
    imports = tmp_path / "annotation" / "imports"
    imports.mkdir(parents=True)
    assert (
        SourceFiles(prediction_log_dir="/x", annotation_dir=str(tmp_path / "annotation")).dbt_vars()[
            "annotation_imports_path"
        ]
        == ""
    ), "an empty imports folder is not handed to dbt (DuckDB refuses a glob that matches nothing)"
    (imports / "label_studio_0123456789ab.jsonl").write_text('{"id": "1", "tokens": ["x"], "tags": ["O"]}\n')
    source = SourceFiles(prediction_log_dir="/x", annotation_dir=str(tmp_path / "annotation"))
    assert source.dbt_vars()["annotation_imports_path"] == str(imports / "*.jsonl")
    result = evaluate(annotated_queries_sensor, instance, annotation_dir=str(tmp_path / "annotation"))
    (request,) = result.run_requests
    assert request.tags["qu/newest_file"] == str(imports / "label_studio_0123456789ab.jsonl")
