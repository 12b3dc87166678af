"""A real Dagster UI on a small materialized graph, driven by Playwright in Debian's Chromium.

Session fixtures: the graph up to ``model_comparison`` (tiny configs, as ``tests/pipeline``
uses) materialized into a temporary DuckDB, model store and Dagster instance; then ``dg dev``
on a free port of 127.0.0.1 over the same instance and data folder (``QU_DATA_DIR``), so the UI
shows what the in-process run recorded. A failing test leaves a screenshot in
``test-artifacts/ui/`` (git-ignored). The tests skip only when no Chromium is found
(``QU_CHROMIUM``, else ``/usr/bin/chromium``, else ``chromium`` on PATH).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bento_server import free_port  # tests/support

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "ui"
sys.path.insert(0, str(REPO / "tests" / "pipeline"))  # pipeline_support: the tiny configs and helpers


def chromium_path() -> str | None:
    for candidate in (os.environ.get("QU_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium not found (QU_CHROMIUM, /usr/bin/chromium, PATH): apt-get install -y chromium")
    return path


@pytest.fixture(scope="session")
def ui_env(tmp_path_factory, chromium) -> dict[str, str]:
    """The environment of the UI: a temporary Dagster home (telemetry off) and data folder."""
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        "DAGSTER_HOME": str(home),
        "QU_DATA_DIR": str(root / "data"),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "BENTOML_DO_NOT_TRACK": "True",
        "ORT_DISABLE_TELEMETRY": "1",
    }
    for name in ("QU_ANNOTATED_QUERIES", "QU_CATALOG_PRODUCTS", "QU_CATALOG_ALIASES", "QU_CLICK_LOGS"):
        env[name] = ""  # the synthetic graph alone, whatever the caller's shell exported
    return env


@pytest.fixture(scope="session")
def materialized(ui_env, tmp_path_factory) -> dict[str, str]:
    """Everything upstream of ``model_comparison`` materialized, with tiny models, into the
    instance and data folder of ``ui_env``; then two weeks of served traffic (:func:`served_traffic`)."""
    import dagster as dg
    from pipeline_support import run_config
    from tiny_transformer import make_tiny_base

    import definitions
    from query_understanding.settings import Locations

    tiny_base = make_tiny_base(tmp_path_factory.mktemp("tiny-base"))
    config = run_config(
        crf_tagger={"max_iterations": 30},
        transformer_tagger={
            "base_model": str(tiny_base),
            "epochs": 1,
            "learning_rate": 1e-3,
            "max_synthetic_train": 400,
        },
        model_comparison={"latency_queries": 20, "latency_budget_ms": 1000.0},
    )
    saved = {name: os.environ.get(name) for name in ui_env}
    os.environ.update(ui_env)
    try:
        instance = dg.DagsterInstance.get()
        result = dg.materialize(
            [*definitions.defs.assets, *definitions.defs.asset_checks],
            selection=dg.AssetSelection.assets("model_comparison").upstream(),
            resources=definitions.resources(Locations.from_env()),
            run_config=config,
            instance=instance,
        )
        assert result.success
        served_traffic(Locations.from_env(), instance)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return ui_env


def served_traffic(locations, instance) -> None:
    """Two weeks of served traffic (train queries replayed, confident; one shifted day), then
    what the prediction-log sensor materializes: the feedback and monitoring marts, their checks,
    the queue and ``monitoring_report``, so the UI has a monitoring chart to show."""
    import random

    import dagster as dg
    import duckdb
    from served_traffic import like_training, shifted, write_log

    import definitions
    from automation import FEEDBACK_SELECTION

    with duckdb.connect(str(locations.warehouse), read_only=True) as connection:
        rows = connection.sql("select tokens, tags from main.train_queries order by query_id limit 600").fetchall()
    rng = random.Random(7)
    for day in range(1, 15):
        sample = like_training(rng.sample(rows, 60 + 10 * day))
        write_log(locations.prediction_log_dir, sample + (shifted(40) if day == 14 else []), f"2026-11-{day:02d}")
    result = dg.materialize(
        [*definitions.defs.assets, *definitions.defs.asset_checks],
        selection=FEEDBACK_SELECTION,
        resources=definitions.resources(locations),
        instance=instance,
    )
    assert result.success


@pytest.fixture(scope="session")
def ui_url(materialized) -> str:
    """``dg dev`` over the materialized instance; its URL once the code location has loaded."""
    port = free_port()
    dg_cli = Path(sys.executable).parent / "dg"
    command = [str(dg_cli), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / "dg_dev.log").open("w")
    # Started from a script, dagster dev ignores SIGINT/SIGTERM unless their default is restored.
    process = subprocess.Popen(
        ["env", "--default-signal=INT,TERM", *command],
        cwd=REPO,
        env={**os.environ, **materialized},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_loaded(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_until_loaded(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    """Until the code location ``query_understanding`` reports LOADED (GraphQL)."""
    import json

    query = json.dumps(
        {"query": "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"}
    ).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dg dev exited with {process.returncode}: see {ARTIFACTS / 'dg_dev.log'}")
        try:
            request = urllib.request.Request(f"{url}/graphql", data=query, headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=5) as response:
                entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                # The first visit's "Join the Dagster community" dialog: marked seen on the instance.
                seen = json.dumps({"query": "mutation { setNuxSeen }"}).encode()
                post = urllib.request.Request(f"{url}/graphql", data=seen, headers={"content-type": "application/json"})
                urllib.request.urlopen(post, timeout=5).close()
                return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(f"the Dagster UI at {url} did not load within {timeout:.0f} s")


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


@contextlib.contextmanager
def browser_page(browser, base_url: str, request, width: int = 1440):
    """A fresh page on ``base_url``; a screenshot in test-artifacts/ui/ when the test failed."""
    context = browser.new_context(viewport={"width": width, "height": 1000}, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is None or report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(browser, ui_url, request):
    with browser_page(browser, ui_url, request) as page:
        yield page
