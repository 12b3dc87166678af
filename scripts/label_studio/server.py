"""A throwaway Label Studio server on 127.0.0.1 and a tiny HTTP client for its REST API.

The server runs from its own virtual environment (``scripts/label_studio/setup.sh``: Label Studio
pins a Django stack that must not meet the project's), with a fresh data directory, a preset user
and API token, and telemetry off, so a round trip needs no browser and leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".label-studio-venv"
USERNAME = "roundtrip@example.com"
PASSWORD = "roundtrip-password"
TOKEN = "0123456789abcdef0123456789abcdef01234567"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabelStudio:
    """The REST calls the round trip makes (legacy ``Token`` auth, JSON bodies)."""

    def __init__(self, url: str, token: str = TOKEN) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, f"{self.url}{path}", timeout=120, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code}: {response.text[:500]}")
        return response

    def version(self) -> str:
        info = self.call("GET", "/api/version").json()
        return str(info.get("release") or info.get("label-studio-os-package", {}).get("version"))

    def create_project(self, title: str, label_config: str) -> int:
        return self.call("POST", "/api/projects", json={"title": title, "label_config": label_config}).json()["id"]

    def import_tasks(self, project: int, tasks: list[dict]) -> dict:
        return self.call("POST", f"/api/projects/{project}/import", json=tasks).json()

    def tasks(self, project: int) -> list[dict]:
        found, page = [], 1
        while True:
            body = self.call("GET", "/api/tasks", params={"project": project, "page": page, "page_size": 100}).json()
            batch = body["tasks"] if isinstance(body, dict) else body
            found += batch
            if not batch or len(found) >= int(body.get("total", len(found)) if isinstance(body, dict) else 0):
                return found
            page += 1

    def predictions(self, task: int) -> list[dict]:
        return self.call("GET", "/api/predictions", params={"task": task}).json()

    def annotate(self, task: int, result: list[dict]) -> dict:
        body = {"result": result, "was_cancelled": False, "ground_truth": False}
        return self.call("POST", f"/api/tasks/{task}/annotations", json=body).json()

    def export_json(self, project: int) -> list[dict]:
        """The project's export in Label Studio's JSON format (what Export > JSON downloads)."""
        return self.call("GET", f"/api/projects/{project}/export", params={"exportType": "JSON"}).json()


def wait_healthy(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"label-studio exited with {process.returncode} before it was up")
        try:
            if requests.get(f"{url}/health", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    raise TimeoutError(f"label-studio not healthy at {url} after {timeout_s:.0f} s")


@contextmanager
def label_studio(data_dir: Path, log_path: Path, timeout_s: float = 600) -> Iterator[LabelStudio]:
    """Start ``label-studio start`` on a free 127.0.0.1 port; always stopped on exit."""
    binary = VENV / "bin" / "label-studio"
    if not binary.exists():
        raise FileNotFoundError(f"{binary} missing: run scripts/label_studio/setup.sh first")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {  # a closed environment: nothing of the caller's leaks in, HOME is the throwaway folder
        "PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(data_dir),
        "LANG": "C.UTF-8",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": USERNAME,
        "LABEL_STUDIO_PASSWORD": PASSWORD,
        "LABEL_STUDIO_USER_TOKEN": TOKEN,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",  # the preset token is a legacy one
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        # nothing leaves the machine: usage telemetry, Sentry error reports, the PyPI version check
        "COLLECT_ANALYTICS": "0",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LATEST_VERSION_CHECK": "false",
    }
    command = [
        str(binary), "start", "--no-browser",
        "--data-dir", str(data_dir),
        "--internal-host", "127.0.0.1", "--port", str(port), "--host", url,
        "--username", USERNAME, "--password", PASSWORD, "--user-token", TOKEN, "--enable-legacy-api-token",
    ]  # fmt: skip
    data_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_healthy(url, process, timeout_s)
            yield LabelStudio(url)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
