"""Fixtures for materializing assets in process against a temporary warehouse and model store."""

from __future__ import annotations

from pathlib import Path

import pytest

import dagster as dg

from pipeline_support import data_assets, resources_for, run_config, warehouse_file


@pytest.fixture(scope="session")
def graph_env(tmp_path_factory, queryner_dir_or_none):
    """Environment for one graph: temp DuckDB, model dir, registry; annotated data if shared."""
    root = tmp_path_factory.mktemp("graph")
    env = {
        "QU_DUCKDB_PATH": str(warehouse_file(root)),
        "QU_MODEL_DIR": str(root / "models"),
        "QU_REGISTRY_HOME": str(root / "registry"),
    }
    if queryner_dir_or_none is not None:
        env["QU_ANNOTATED_QUERIES"] = str(queryner_dir_or_none / "queryner_[td]*.jsonl")
    return root, env


@pytest.fixture(scope="session")
def queryner_dir_or_none() -> Path | None:
    path = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "queryner"
    return path if (path / "queryner_train.jsonl").is_file() else None


@pytest.fixture
def patched_env(graph_env, monkeypatch):
    root, env = graph_env
    monkeypatch.delenv("QU_ANNOTATED_QUERIES", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return root




@pytest.fixture(scope="session")
def first_run(graph_env):
    """The data assets materialized once into the session's temporary warehouse."""
    root, env = graph_env
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("QU_ANNOTATED_QUERIES", raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        result = dg.materialize(data_assets(), resources=resources_for(root), run_config=run_config())
    return root, env, result
