"""A real ``bentoml serve bentos.service:QueryParser`` on a free port of 127.0.0.1, for the
tests that talk to the service over HTTP (tests/e2e, tests/ui/test_swagger.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = float(os.environ.get("QU_TEST_READY_TIMEOUT_S", "90"))


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
            # One worker unless a test asks for more: most tests read one process's state
            # (/model_info counters, the worker /reload reached). The default (one per core) is
            # what test_multi_worker_follow.py and test_wrk_load.py run.
            "QU_WORKERS": "1",
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
