"""Fixtures for materializing assets in process against a temporary warehouse and model store.

Every location reaches the assets through resources (:func:`pipeline_support.resources_for`),
never through environment variables, as in ``definitions.py``.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from pipeline_support import data_assets, resources_for, run_config


@pytest.fixture(scope="session")
def queryner_glob() -> str:
    """The QueryNER train/dev files as bring-your-own annotated queries, or "" when absent."""
    path = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "queryner"
    return str(path / "queryner_[td]*.jsonl") if (path / "queryner_train.jsonl").is_file() else ""


@pytest.fixture(scope="session")
def first_run(tmp_path_factory, queryner_glob):
    """The data assets materialized once into the session's temporary warehouse."""
    root = tmp_path_factory.mktemp("graph")
    resources = resources_for(root, annotated_queries=queryner_glob)
    result = dg.materialize(data_assets(), resources=resources, run_config=run_config())
    return root, queryner_glob, result
