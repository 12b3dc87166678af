"""Fixtures for the serving tests: tiny CRF artifacts, a temporary registry (BENTOML_HOME) and
real ``bentoml serve`` subprocesses on 127.0.0.1 at free ports."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from bento_server import REPO, Server, free_port, start_server, stop_server  # tests/support
from tiny_crf import train_tiny_crf

from model_registry import ModelRegistry
from model_registry.linking_indexes import register_linking_index
from query_understanding.catalog import load_catalog_from_csv
from query_understanding.linking import LinkingIndex, calibrate

__all__ = ["ADMIN_TOKEN", "REPO", "Server", "free_port", "start_server", "stop_server"]

#: The admin token of the main test server (``/reload`` is off without one).
ADMIN_TOKEN = "test-admin-token"


@pytest.fixture(scope="session")
def tiny_artifacts(tmp_path_factory) -> dict[str, Path]:
    """Three tiny CRF artifacts: ``a`` and ``b`` good, ``c`` to be damaged by a test."""
    root = tmp_path_factory.mktemp("artifacts")
    return {"a": train_tiny_crf(root, seed=7), "b": train_tiny_crf(root, seed=8), "c": train_tiny_crf(root, seed=9)}


@pytest.fixture
def registry(tmp_path, tiny_artifacts) -> ModelRegistry:
    """An empty registry in a fresh temporary BENTOML_HOME."""
    return ModelRegistry(tmp_path / "bentoml_home")


@pytest.fixture(scope="session")
def linking_index_dir(tmp_path_factory) -> Path:
    """The linking index of the built-in seed catalog, as the ``linking_index`` asset builds it."""
    index, _ = calibrate(LinkingIndex.from_catalog(load_catalog_from_csv(REPO / "dbt" / "seeds")))
    return index.save(tmp_path_factory.mktemp("linking")).parent


@pytest.fixture(scope="module")
def serving_home(tmp_path_factory, tiny_artifacts, linking_index_dir) -> dict:
    """A registry with artifacts a, b, c and the seed catalog's linking index registered and a
    promoted (shared by a module)."""
    home = tmp_path_factory.mktemp("bentoml_home")
    registry = ModelRegistry(home)
    tags = {name: registry.register(path) for name, path in tiny_artifacts.items()}
    registry.promote(tags["a"], reason="test setup")
    linking_tag = register_linking_index(registry, linking_index_dir)
    return {"home": home, "registry": registry, "tags": tags, "linking_tag": linking_tag}


@pytest.fixture(scope="module")
def server_factory(tmp_path_factory) -> Iterator[Callable[..., Server]]:
    """Start servers (stopped at module end); ``factory(home, **env)``."""
    started: list[Server] = []

    def factory(home: Path, **env: str) -> Server:
        work = tmp_path_factory.mktemp("server")
        server = start_server(home, work / "prediction_logs", work / "server.log", env)
        started.append(server)
        return server

    yield factory
    for server in started:
        stop_server(server)


@pytest.fixture(scope="module")
def server(serving_home, server_factory) -> Server:
    """The main server: registry champion, adaptive batching on, admin token set."""
    return server_factory(serving_home["home"], QU_ADMIN_TOKEN=ADMIN_TOKEN)
