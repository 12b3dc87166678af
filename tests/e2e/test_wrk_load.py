"""The headline load script (``scripts/wrk_load.py``) against a real server: wrk's report is
read right, and every request it counts as answered was answered and logged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("wrk") is None, reason="wrk is not installed (scripts/test.sh installs it as root)"
    ),
]


@pytest.fixture(scope="module")
def loaded(serving_home, server_factory):
    return server_factory(serving_home["home"], QU_WORKERS="auto")  # the default: one worker per core


def test_a_short_wrk_run_reports_the_requests_the_server_answered_and_logged(loaded, tmp_path):
    out = tmp_path / "wrk.json"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "wrk_load.py"), "--arm", f"default={loaded.url}"]
        + ["--seconds", "2", "--clients", "4", "--json-out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    run = json.loads(out.read_text())["rounds"][0]["default"]
    assert run["requests"] > 0 and run["requests_per_s"] > 0
    assert run["non_2xx"] == 0 and run["socket_errors"] == 0
    assert 0 < run["p50_ms"] <= run["p99_ms"]
    logged = sum(len(p.read_text().splitlines()) for p in loaded.log_dir.glob("date=*/*.jsonl"))
    assert logged >= run["requests"]  # wrk counts the answers it read; each one was logged first
