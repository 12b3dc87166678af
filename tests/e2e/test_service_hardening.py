"""What a probe of the service found (issue 11), each against a real ``bentoml serve``: admin
calls closed by default, client mistakes as quiet 4xx on every endpoint, the per-request
character budget, an OpenAPI document that says what /parse takes and answers, and a service
that cannot start making ``bentoml serve`` exit, and workers that die with ``bentoml serve``.

The server here runs without ``QU_ADMIN_TOKEN`` (the default); token tests are in test_service.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from conftest import REPO, free_port

from bentos.startup import EXIT_START_FAILED, MAX_START_FAILURES

pytestmark = pytest.mark.slow

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def plain(serving_home, server_factory):
    """A server with every setting at its default but the body timeout (2 s: a quick test)."""
    return server_factory(serving_home["home"], QU_BODY_TIMEOUT_S="2")


def test_reload_is_off_until_an_admin_token_is_configured(plain):
    for headers in ({}, {"X-Admin-Token": "anything"}):
        r = requests.post(f"{plain.url}/reload", json={}, headers=headers, timeout=30)
        assert r.status_code == 403, r.text
        assert r.json()["status"] == 403 and "QU_ADMIN_TOKEN" in r.json()["error"]


def test_model_info_shows_no_paths_or_pid_by_default(plain):
    info = requests.get(f"{plain.url}/model_info", headers={"X-Admin-Token": ""}, timeout=10).json()
    assert not {"pid", "registry_home", "prediction_log_dir"} & set(info)
    assert str(plain.home) not in str(info) and str(plain.log_dir) not in str(info)


def test_a_request_over_the_character_budget_is_413_and_not_logged(plain):
    r = requests.post(f"{plain.url}/parse", json={"queries": ["shoes " * 80] * 64}, timeout=30)  # 64 x 480 chars
    assert r.status_code == 413 and "QU_MAX_REQUEST_CHARS" in r.json()["error"], r.text[:300]
    assert requests.post(f"{plain.url}/parse", json={"queries": ["shoes " * 80] * 17}, timeout=30).status_code == 200
    logged = "".join(p.read_text() for p in plain.log_dir.glob("date=*/*.jsonl"))
    assert logged.count('"item":0,') == 1  # only the answered request


BAD_BODIES = [
    ("not-json", b'{"x":', JSON),
    ("not-utf8", b"\xff\xfe", JSON),
    ("array", b"[1, 2]", JSON),
    ("string", b'"reload"', JSON),
    ("wrong-types", b'{"queries": 5, "query": [1]}', JSON),
    ("unknown-field", b'{"force": true}', JSON),
    ("deep", b"[" * 50000, JSON),
    ("form", b"a=b", {"content-type": "application/x-www-form-urlencoded"}),
    ("multipart", b"--x--", {"content-type": "multipart/form-data"}),
]
ENDPOINTS = [("POST", "/parse"), ("POST", "/reload"), ("POST", "/internal/tag_batch"), ("GET", "/model_info")]


def test_client_mistakes_on_every_endpoint_are_quiet_4xx_in_the_project_shape(plain):
    for method, path in ENDPOINTS:
        for name, body, headers in BAD_BODIES:
            for token in (None, "wrong"):
                extra = {"X-Admin-Token": token} if token else {}
                r = requests.request(method, plain.url + path, data=body, headers={**headers, **extra}, timeout=30)
                where = (method, path, name, token, r.status_code, r.text[:200])
                if path == "/internal/tag_batch":  # there is no such endpoint (a non-JSON type: 415 first)
                    assert r.status_code == (415 if name in ("form", "multipart") else 404), where
                    continue
                if method == "GET":
                    assert r.status_code == 200, where  # a body on a GET is ignored
                    continue
                assert 400 <= r.status_code < 500, where
                assert r.json()["status"] == r.status_code and r.json()["error"], where
    assert plain.alive()
    time.sleep(0.5)  # let the log catch up
    log = plain.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :][:3000]
    assert "[ERROR]" not in log, [line for line in log.splitlines() if "[ERROR]" in line][:5]
    assert "refused with 422" in log  # logged, at INFO


def test_openapi_says_parse_takes_exactly_one_form_and_lists_its_statuses(plain):
    spec = requests.get(f"{plain.url}/docs.json", timeout=10).json()
    assert not [p for p in spec["paths"] if p.startswith("/internal")]
    parse = spec["paths"]["/parse"]["post"]
    media = parse["requestBody"]["content"]["application/json"]
    forms = media["schema"]["oneOf"]
    assert [f["required"] for f in forms] == [["query"], ["queries"]]
    assert all(f["additionalProperties"] is False for f in forms)
    assert set(parse["responses"]) >= {"200", "400", "413", "415", "422", "503"}
    assert "404" not in parse["responses"]
    assert spec["components"]["schemas"]["Error"]["required"] == ["error", "status"]
    for example in media["examples"].values():  # what Swagger's "Try it out" sends
        r = requests.post(f"{plain.url}/parse", json=example["value"], timeout=30)
        assert r.status_code == 200, (example, r.text)
    reload = spec["paths"]["/reload"]["post"]
    assert {"401", "403", "500"} <= set(reload["responses"])


def test_the_swagger_page_describes_the_api_briefly_documents_model_info_and_loads_no_tag_manager(plain):
    spec = requests.get(f"{plain.url}/docs.json", timeout=10).json()
    description = spec["info"]["description"]
    assert "/parse" in description and "bentos/README.md" in description
    assert len(description.splitlines()) <= 8 and "Two commands" not in description and "## " not in description
    model_info = spec["paths"]["/model_info"]["get"]
    schema = spec["components"]["schemas"]["ModelInfo"]
    assert model_info["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ModelInfo")
    answer = requests.get(f"{plain.url}/model_info", timeout=10).json()
    assert set(schema["required"]) <= set(answer), set(schema["required"]) - set(answer)
    assert set(answer) <= set(schema["properties"]), set(answer) - set(schema["properties"])
    page = requests.get(f"{plain.url}/", timeout=10)
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert "googletagmanager" not in page.text.lower() and "gtm" not in page.text.lower()


def test_a_body_shorter_than_its_content_length_is_408_and_closed_while_readyz_answers(plain):
    host, port = plain.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /parse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"query": "'
        )
        started = time.monotonic()
        assert requests.get(f"{plain.url}/readyz", timeout=5).status_code == 200  # not blocked by it
        answer = b""
        while chunk := conn.recv(4096):  # until the server closes the connection
            answer += chunk
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"QU_BODY_TIMEOUT_S" in answer and 1.5 < waited < 8, waited


@pytest.mark.parametrize("fault", ["unknown-tag", "corrupted-model"])
def test_a_service_that_cannot_start_makes_bentoml_serve_exit_non_zero_with_the_reason(
    fault, registry, tiny_artifacts, tmp_path
):
    env_tag = {}
    if fault == "unknown-tag":
        env_tag = {"QU_SERVE_TAG": "qu-crf:does-not-exist"}
        registry.promote(registry.register(tiny_artifacts["a"]))
        words = "unknown model tag 'qu-crf:does-not-exist'"
    else:
        tag = registry.register(tiny_artifacts["b"])
        registry.promote(tag)
        path, _ = registry.get(tag)
        (path / "model.crfsuite").write_bytes(b"corrupted")
        words = "sha256"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QU_")}
    env.update(
        BENTOML_HOME=str(registry.home),
        BENTOML_DO_NOT_TRACK="True",
        QU_PREDICTION_LOG_DIR=str(tmp_path / "logs"),
        PYTHONUNBUFFERED="1",
        QU_WORKERS="1",  # one worker: two interleave their failure lines, and the last must say why
        **env_tag,
    )
    cmd = [sys.executable, "-m", "bentoml", "serve", "bentos.service:QueryParser"]  # no --host: the default
    proc = subprocess.Popen(
        cmd + ["--port", str(free_port())],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, _ = proc.communicate()
        pytest.fail("bentoml serve kept restarting a worker that cannot start:\n" + out.decode()[-3000:])
    log = out.decode(errors="replace")
    assert proc.returncode == EXIT_START_FAILED, log[-3000:]
    assert "listening on http://127.0.0.1:" in log, "binds loopback unless told otherwise"
    assert f"start-up failed {MAX_START_FAILURES} times, giving up" in log
    assert words in log.splitlines()[-1], log[-1500:]  # the last line says why


def test_kill_9_of_bentoml_serve_takes_its_worker_with_it_and_frees_the_port(serving_home, server_factory):
    import psutil

    doomed = server_factory(serving_home["home"])
    port = int(doomed.url.rsplit(":", 1)[1])
    workers = psutil.Process(doomed.proc.pid).children(recursive=True)
    assert workers, "bentoml serve runs its service in worker processes"
    os.kill(doomed.proc.pid, 9)
    doomed.proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"workers outlived bentoml serve: {[p.pid for p in alive]}"
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))  # a restart on the same port would not fail "Address already in use"
