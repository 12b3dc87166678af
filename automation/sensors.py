"""Sensors on the files the loop feeds on: the service's prediction log and annotated queries.

Both keep a cursor of the newest file seen, ``{"mtime": ..., "path": ...}`` (modification time,
then path, so two files written in the same second are told apart), and request a run only when a
file newer than the cursor appears; an appended prediction-log part counts as new (its mtime moves),
which is what new traffic looks like: the service appends to one file per process and day. The
run key is the newest file's (path, mtime), so a re-evaluation never requests the same run twice.
The folders come from the ``source_files`` resource, the same settings dbt reads.
"""

import json
from pathlib import Path

import dagster as dg

from automation.jobs import FEEDBACK_KEYS, FEEDBACK_PYTHON_KEYS, FEEDBACK_SELECTION, retrain_job
from pipeline.catalog_tables import CATALOG_SNAPSHOT
from resources import SourceFiles

#: File names dbt skips among annotated files (dbt var annotated_queries_exclude's default).
ANNOTATED_EXCLUDE = "*_full_*"


def file_marks(paths: list[Path]) -> list[tuple[float, str]]:
    """(mtime, path) of each existing file, oldest first."""
    marks = []
    for path in paths:
        try:
            marks.append((path.stat().st_mtime, str(path)))
        except OSError:  # removed between listing and stat
            continue
    return sorted(marks)


def newer_than_cursor(marks: list[tuple[float, str]], cursor: str | None) -> list[tuple[float, str]]:
    if not cursor:
        return marks
    seen = json.loads(cursor)
    return [mark for mark in marks if mark > (seen["mtime"], seen["path"])]


def evaluate(marks: list[tuple[float, str]], cursor: str | None, what: str, **request: object) -> dg.SensorResult:
    """Skip when nothing is newer than ``cursor``; else one RunRequest (``request``: its fields)
    keyed by the newest file, and the cursor moved to it."""
    new = newer_than_cursor(marks, cursor)
    if not new:
        return dg.SensorResult(skip_reason=dg.SkipReason(f"no new {what} since the last run"), cursor=cursor)
    mtime, path = new[-1]
    tags = {**request.pop("tags", {}), "qu/new_files": str(len(new)), "qu/newest_file": path}
    run = dg.RunRequest(run_key=f"{path}@{mtime}", tags=tags, **request)
    return dg.SensorResult(run_requests=[run], cursor=json.dumps({"mtime": mtime, "path": path}))


def prediction_log_files(source_files: SourceFiles) -> list[Path]:
    root = Path(source_files.prediction_log_dir)
    return list(root.glob("**/*.jsonl")) if root.is_dir() else []


def annotated_files(source_files: SourceFiles) -> list[Path]:
    return source_files.annotated_files(exclude=ANNOTATED_EXCLUDE)


@dg.sensor(
    name="prediction_log_sensor",
    target=FEEDBACK_SELECTION,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="New prediction-log lines -> rebuild the feedback and monitoring marts (and their checks) "
    "and the annotation queue.",
)
def prediction_log_sensor(context: dg.SensorEvaluationContext, source_files: SourceFiles) -> dg.SensorResult:
    return evaluate(
        file_marks(prediction_log_files(source_files)),
        context.cursor,
        "prediction-log files",
        asset_selection=[*FEEDBACK_KEYS, *FEEDBACK_PYTHON_KEYS],
        tags={"qu/trigger": "prediction_log"},
    )


@dg.sensor(
    name="annotated_queries_sensor",
    job=retrain_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="A new annotated JSONL file (matching QU_ANNOTATED_QUERIES, or a Label Studio import in "
    "$QU_ANNOTATION_DIR/imports) -> retrain.",
)
def annotated_queries_sensor(context: dg.SensorEvaluationContext, source_files: SourceFiles) -> dg.SensorResult:
    return evaluate(
        file_marks(annotated_files(source_files)),
        context.cursor,
        "annotated files",
        tags={"qu/trigger": "annotated_queries"},
    )


#: Declarative automation where a condition says it better than a sensor: the catalog's Python
#: readers (``catalog_snapshot``, ``linking_index``) carry ``AutomationCondition.eager()`` and
#: follow the catalog's dbt models whenever those are rebuilt, without retraining anything.
catalog_automation = dg.AutomationConditionSensorDefinition(
    "catalog_automation",
    target=dg.AssetSelection.assets(CATALOG_SNAPSHOT, "linking_index"),
    default_status=dg.DefaultSensorStatus.STOPPED,
    minimum_interval_seconds=60,
    description="Evaluates the catalog assets' automation conditions (eager: a rebuilt catalog model -> a new "
    "catalog_snapshot and linking_index). Switch on in the UI: Automation.",
)
