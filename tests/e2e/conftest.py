"""Fixtures for the serving tests: tiny CRF artifacts, a temporary registry (BENTOML_HOME) and
real ``bentoml serve`` subprocesses on 127.0.0.1 at free ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))
from _tiny_crf import train_tiny_crf  # noqa: E402

from model_registry import ModelRegistry  # noqa: E402
from model_registry.linking_indexes import register_linking_index  # noqa: E402
from query_understanding.catalog import load_catalog_from_csv  # noqa: E402
from query_understanding.linking import LinkingIndex, calibrate  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
#: The admin token of the main test server (``/reload`` is off without one).
ADMIN_TOKEN = "test-admin-token"
READY_TIMEOUT_S = float(os.environ.get("QU_TEST_READY_TIMEOUT_S", "90"))


@pytest.fixture(scope="session")
def tiny_artifacts(tmp_path_factory) -> dict[str, Path]:
    """Three tiny CRF artifacts: ``a`` and ``b`` good, ``c`` to be damaged by a test."""
    root = tmp_path_factory.mktemp("artifacts")
    return {"a": train_tiny_crf(root, seed=7), "b": train_tiny_crf(root, seed=8), "c": train_tiny_crf(root, seed=9)}


@pytest.fixture
def registry(tmp_path, tiny_artifacts) -> ModelRegistry:
    """An empty registry in a fresh temporary BENTOML_HOME."""
    return ModelRegistry(tmp_path / "bentoml_home")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log_path: Path
    home: Path
    log_dir: Path

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "<no log>"

    def alive(self) -> bool:
        return self.proc.poll() is None


def start_server(home: Path, log_dir: Path, server_log: Path, env_overrides: dict[str, str] | None = None) -> Server:
    """``bentoml serve bentos.service:QueryParser`` on a free port; waits for /readyz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QU_")}
    env.update(
        {
            "BENTOML_HOME": str(home),
            "BENTOML_DO_NOT_TRACK": "True",
            "QU_PREDICTION_LOG_DIR": str(log_dir),
            "PYTHONUNBUFFERED": "1",
            **(env_overrides or {}),
        }
    )
    log = open(server_log, "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bentoml",
            "serve",
            "bentos.service:QueryParser",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own process group: teardown stops the workers too
    )
    log.close()
    server = Server(f"http://127.0.0.1:{port}", proc, server_log, home, log_dir)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"bentoml serve exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            if requests.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"bentoml serve not ready after {READY_TIMEOUT_S}s:\n{server.log_tail()}")


def stop_server(server: Server) -> None:
    if not server.alive():
        return
    try:
        os.killpg(server.proc.pid, signal.SIGTERM)
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=5)
    except ProcessLookupError:
        pass


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
