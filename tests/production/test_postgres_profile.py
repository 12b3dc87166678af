"""The production profile (``QU_WAREHOUSE=postgres``) against a real PostgreSQL server.

Specification: with the one switch set and libpq's ``PG*`` variables pointing at a database,
the whole graph (dbt build of the data graph, then CRF, tiny transformer, ONNX, comparison,
champion, registry models, bento) runs from the command line (``dagster asset materialize``, as a
deployment would) with the warehouse, dbt and the Dagster instance (run, event log and schedule
storage, ``dagster_home/postgres/dagster.yaml``) on PostgreSQL, with the multiprocess executor
and, on the same config, in process; every dataset has the same row count and content data
version as the same run on DuckDB, and the models train on that same data version. The wall
time of both PostgreSQL runs is printed (no timing assertion: 2 shared cores here).

The server is a throwaway one (``initdb`` into a temporary folder, ``pg_ctl start`` on a free
port of 127.0.0.1, stopped after); the test is skipped only when the PostgreSQL binaries are
missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest
from postgres_server import postgres_bin_dir, running_postgres
from small_configs import small_model_config

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "dagster_home" / "postgres" / "dagster.yaml"
DATASETS = ("labeled_queries", "train_queries", "dev_queries", "test_queries")
MODELS = ("crf_tagger", "transformer_tagger")
#: Steps of the graph that must have run (a dbt step, the Python writers, both trainers).
STEPS = ("catalog", "raw_query_logs", "query_dataset_models", "crf_tagger", "transformer_tagger", "champion")

pytestmark = [pytest.mark.slow, pytest.mark.production]


@pytest.fixture(scope="module")
def postgres():
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or on PATH")
    with running_postgres(bin_dir) as server:
        yield server


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> str:
    from tiny_transformer import make_tiny_base

    return str(make_tiny_base(tmp_path_factory.mktemp("tiny-base")))


def clean_environment() -> dict[str, str]:
    """This process's environment without any setting that would redirect the graph."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QU_", "PG", "DAGSTER_", "DBT_", "BENTOML_"))
    }


def run_graph(root: Path, config: dict, env: dict[str, str]) -> float:
    """``dagster asset materialize --select '*'`` of ``definitions`` in a fresh process, its data
    under ``root`` (``QU_DATA_DIR``, ``DAGSTER_HOME``); returns the wall time in seconds."""
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    config_file = root / "run_config.yaml"
    config_file.write_text(json.dumps(config))  # JSON is YAML
    environment = {
        **clean_environment(),
        **env,
        "PYTHONPATH": str(REPO),
        "QU_DATA_DIR": str(root / "data"),
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster), "asset", "materialize", "-m", "definitions", "--select", "*", "-c", str(config_file)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    (root / "run.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    return elapsed


@contextmanager
def environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_summary(home: Path, env: dict[str, str] | None = None) -> dict:
    """What the run recorded in its instance: dataset row counts and data versions, the models'
    training data versions, the storage classes and each step's start and end time."""
    with environment(env or {}):
        instance = dg.DagsterInstance.from_config(str(home))
        try:
            (run,) = instance.get_runs()
            assert run.status == dg.DagsterRunStatus.SUCCESS
            datasets = {}
            for name in DATASETS:
                materialization = instance.get_latest_materialization_event(dg.AssetKey(name)).asset_materialization
                datasets[name] = (
                    materialization.metadata["dagster/row_count"].value,
                    materialization.tags["dagster/data_version"],
                )
            models = {}
            for name in MODELS:
                materialization = instance.get_latest_materialization_event(dg.AssetKey(name)).asset_materialization
                models[name] = materialization.metadata["training_data_version"].value
            steps = {}
            for record in instance.get_records_for_run(run.run_id, limit=100_000).records:
                event = record.event_log_entry.dagster_event
                if event is None or event.step_key is None:
                    continue
                if event.event_type == dg.DagsterEventType.STEP_START:
                    steps.setdefault(event.step_key, [None, None])[0] = record.event_log_entry.timestamp
                elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
                    steps.setdefault(event.step_key, [None, None])[1] = record.event_log_entry.timestamp
            storages = {type(s).__name__ for s in (instance.run_storage, instance.event_log_storage)}
            storages.add(type(instance.schedule_storage).__name__)
            return {"datasets": datasets, "models": models, "steps": steps, "storages": storages}
        finally:
            instance.dispose()


def overlapping_steps(steps: dict[str, list]) -> set[frozenset[str]]:
    """Pairs of steps whose [start, end] intervals overlap (they ran at the same time)."""
    spans = [(key, start, end) for key, (start, end) in steps.items() if start is not None and end is not None]
    return {
        frozenset((a, b))
        for i, (a, a_start, a_end) in enumerate(spans)
        for b, b_start, b_end in spans[i + 1 :]
        if a_start < b_end and b_start < a_end
    }


@pytest.fixture(scope="module")
def runs(postgres, tiny_base, tmp_path_factory):
    """The same graph and config on DuckDB (in process, the default) and on PostgreSQL with the
    multiprocess executor (the profile's default), each into its own database (C collation) and
    instance. ``QU_PROFILE_TIMING=1`` adds PostgreSQL in process, for the wall-time comparison
    the README reports (a third whole graph: left out of the default suite to keep it short)."""
    config = small_model_config(tiny_base)
    results = {}

    root = tmp_path_factory.mktemp("duckdb")
    seconds = run_graph(root, config, {})
    results["duckdb"] = (seconds, run_summary(root / "dagster_home"))

    modes = [("multiprocess", {})]
    if os.environ.get("QU_PROFILE_TIMING") == "1":
        modes.append(("in_process", {"execution": {"config": {"in_process": {}}}}))
    for mode, execution in modes:
        database = postgres.create_database(f"qu_{mode}")
        root = tmp_path_factory.mktemp(f"postgres-{mode}")
        (root / "dagster_home").mkdir()
        shutil.copy(TEMPLATE, root / "dagster_home" / "dagster.yaml")  # the template, as is
        env = {**database.env(), "PGPASSWORD": "", "QU_WAREHOUSE": "postgres"}
        seconds = run_graph(root, {**config, **execution}, env)
        results[f"postgres_{mode}"] = (seconds, run_summary(root / "dagster_home", env))

    print("\nwall time of the whole small graph (dagster asset materialize, 2 shared cores):")
    for name, (seconds, summary) in results.items():
        print(f"  {name:<22} {seconds:6.1f} s   datasets {summary['datasets']}")
    pairs = overlapping_steps(results["postgres_multiprocess"][1]["steps"])
    print("  steps that overlapped with the multiprocess executor:", sorted(sorted(p) for p in pairs))
    return results


def postgres_modes(runs: dict) -> list[str]:
    return [mode for mode in runs if mode.startswith("postgres_")]


def test_datasets_on_postgres_have_duckdbs_row_counts_and_data_versions(runs):
    duckdb = runs["duckdb"][1]["datasets"]
    assert all(rows > 0 for rows, _ in duckdb.values()), duckdb
    for mode in postgres_modes(runs):
        assert runs[mode][1]["datasets"] == duckdb, mode


def test_models_on_postgres_train_on_the_same_data_version(runs):
    duckdb = runs["duckdb"][1]["models"]
    for mode in postgres_modes(runs):
        assert runs[mode][1]["models"] == duckdb, mode


def test_the_instance_of_the_production_profile_is_on_postgres(runs):
    for mode in postgres_modes(runs):
        assert runs[mode][1]["storages"] == {"PostgresRunStorage", "PostgresEventLogStorage", "PostgresScheduleStorage"}
    assert "PostgresRunStorage" not in runs["duckdb"][1]["storages"]


def test_the_multiprocess_executor_runs_steps_side_by_side_and_duckdb_stays_in_process(runs):
    for mode in runs:
        steps = runs[mode][1]["steps"]
        assert set(STEPS) <= set(steps), (mode, sorted(steps))
    assert overlapping_steps(runs["postgres_multiprocess"][1]["steps"])
    if "postgres_in_process" in runs:
        assert not overlapping_steps(runs["postgres_in_process"][1]["steps"])
    assert not overlapping_steps(runs["duckdb"][1]["steps"])


def test_the_postgres_edit_distance_is_duckdbs(runs, postgres):
    """The SQL function dbt's on-run-start created equals DuckDB's damerau_levenshtein and
    levenshtein (characters, not bytes; unrestricted transpositions) on random short texts."""
    import random

    import duckdb
    import psycopg2

    rng = random.Random(3)
    alphabet = "abcdeé "
    pairs = [
        tuple("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(2)) for _ in range(400)
    ]
    pairs += [("ca", "abc"), ("abcdef", "badcfe"), ("nike", "nkie"), ("", "")]
    connection = psycopg2.connect(host=postgres.host, port=postgres.port, user=postgres.user, dbname="qu_multiprocess")
    try:
        with connection.cursor() as cursor:
            for a, b in pairs:
                cursor.execute(
                    "select public.qu_edit_distance(%s, %s, true), public.qu_edit_distance(%s, %s, false)", (a, b, a, b)
                )
                expected = duckdb.execute(
                    "select damerau_levenshtein(?, ?), levenshtein(?, ?)", [a, b, a, b]
                ).fetchone()
                assert tuple(cursor.fetchone()) == tuple(expected), (a, b)
    finally:
        connection.close()
