"""The HTTP service end to end: a real ``bentoml serve`` on 127.0.0.1 with a tiny CRF.

One server (registry champion, adaptive batching) serves most tests; the A/B test starts a
second one. The reload tests change the registry and run last in the module.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest
import requests
from conftest import ADMIN_TOKEN

from bentos.config import choose_arm, parse_ab_tags

pytestmark = pytest.mark.slow

JSON = {"content-type": "application/json"}


def parse(server, payload, **kwargs):
    return requests.post(f"{server.url}/parse", json=payload, timeout=30, **kwargs)


def assert_entities_match(result: dict) -> None:
    for e in result["entities"]:
        assert result["query"][e["start"] : e["end"]] == e["text"]
        assert e["type"] in ("BRAND", "COLOR", "TYPE")


def test_parse_batch_with_char_offsets(server, serving_home):
    r = parse(server, {"queries": ["blue shoes by prada", "  Nike   red sneakers"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model_tag"] == serving_home["tags"]["a"]
    assert r.headers["x-model-tag"] == body["model_tag"]
    assert r.headers["x-request-id"] == body["request_id"]
    first, second = body["results"]
    assert first["query"] == "blue shoes by prada"
    assert {(e["type"], e["text"], e["start"], e["end"]) for e in first["entities"]} == {
        ("COLOR", "blue", 0, 4),
        ("TYPE", "shoes", 5, 10),
        ("BRAND", "prada", 14, 19),
    }
    assert (first["brand"], first["color"], first["type"]) == ("prada", "blue", "shoes")
    assert first["tokens"] == ["blue", "shoes", "by", "prada"]
    assert len(first["tags"]) == len(first["tokens"])
    assert second["query"] == "  Nike   red sneakers"  # offsets into the query as sent
    for result in body["results"]:
        assert_entities_match(result)
        assert all(0 <= e["score"] <= 1 for e in result["entities"])


def test_single_query_form_and_request_id(server):
    r = parse(server, {"query": "red nike shoes"}, headers={"X-Request-ID": "client-42"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["request_id"] == "client-42" and len(body["results"]) == 1
    assert_entities_match(body["results"][0])
    odd = parse(server, {"query": "red nike shoes"}, headers={"X-Request-ID": "bad id with spaces"})
    assert odd.status_code == 200 and odd.json()["request_id"] != "bad id with spaces"


LONG = "a" * 513
BAD_INPUTS = [
    # (id, raw body, extra headers, status, words in the message)
    ("empty-body", b"", {}, 400, "empty body"),
    ("not-json", b'{"query": "red shoes"', {}, 400, "not valid JSON"),
    ("not-utf8", b'{"query": "caf\xe9"}', {}, 400, "not valid UTF-8"),
    ("huge-int", b'{"query": ' + b"1" * 5000 + b"}", {}, 400, "not valid JSON"),
    ("deep-nesting", b"[" * 100000, {}, 400, "not valid JSON"),
    ("not-object", b'["blue shoes"]', {}, 422, "JSON object"),
    ("null", b"null", {}, 422, "JSON object"),
    ("missing-field", b"{}", {}, 422, "missing"),
    ("unknown-field", b'{"querys": ["x"]}', {}, 422, "unknown field"),
    ("both-fields", b'{"queries": ["a"], "query": "b"}', {}, 422, "not both"),
    ("queries-not-list", b'{"queries": "blue shoes"}', {}, 422, "list of strings"),
    ("query-not-string", b'{"query": 42}', {}, 422, "must be a string"),
    ("item-not-string", b'{"queries": ["ok", {"a": 1}]}', {}, 422, "queries[1] must be a string"),
    ("item-null", b'{"queries": [null]}', {}, 422, "queries[0] must be a string"),
    ("empty-list", b'{"queries": []}', {}, 422, "empty"),
    ("empty-query", b'{"query": ""}', {}, 422, "empty or only whitespace"),
    ("whitespace-query", b'{"queries": ["ok", " \\t\\n "]}', {}, 422, "queries[1]: query is empty"),
    ("too-long", json.dumps({"query": LONG}).encode(), {}, 422, "513 characters long; the limit is 512"),
    ("lone-surrogate", b'{"query": "\\ud800 shoes"}', {}, 422, "surrogate"),
    ("batch-too-big", json.dumps({"queries": ["shoes"] * 65}).encode(), {}, 413, "limit is 64"),
    ("body-too-big", json.dumps({"query": "x" * (2 << 20)}).encode(), {}, 413, "QU_MAX_BODY_BYTES"),
    ("wrong-content-type", b'{"query": "shoes"}', {"content-type": "text/plain"}, 415, "application/json"),
]


@pytest.mark.parametrize("raw, headers, status, words", [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_a_clear_4xx(server, raw, headers, status, words):
    r = requests.post(f"{server.url}/parse", data=raw, headers={**JSON, **headers}, timeout=30)
    assert r.status_code == status, r.text
    assert words in r.json()["error"]
    good = parse(server, {"query": "black jacket"})
    assert good.status_code == 200 and good.json()["results"][0]["type"] == "jacket"


@pytest.mark.parametrize("path", ["/parse", "/reload"])
def test_a_malformed_content_type_is_415_on_every_post_api(server, path):
    # Found by schemathesis: multipart/form-data without a boundary made BentoML answer 500.
    r = requests.post(f"{server.url}{path}", data=b"{}", headers={"content-type": "multipart/form-data"}, timeout=30)
    assert r.status_code == 415 and "application/json" in r.json()["error"]


def test_chunked_oversized_body_is_413(server):
    def chunks():
        yield b'{"query": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    r = requests.post(f"{server.url}/parse", data=chunks(), headers=JSON, timeout=30)
    assert r.status_code == 413 and "QU_MAX_BODY_BYTES" in r.json()["error"]
    assert parse(server, {"query": "red dress"}).status_code == 200


def test_wrong_method_and_path(server):
    assert requests.get(f"{server.url}/parse", timeout=10).status_code == 405
    assert requests.post(f"{server.url}/nope", json={}, timeout=10).status_code == 404


def test_there_is_no_internal_batching_endpoint(server):
    # QU_BATCHING=bentoml and its /internal/tag_batch were dropped (issue 9): no public way to
    # get predictions that skip the prediction log or to pick the model.
    r = requests.post(
        f"{server.url}/internal/tag_batch", json={"items": [{"tag": "x", "query": "red shoes"}]}, timeout=10
    )
    assert r.status_code == 404
    assert not any("internal" in path for path in requests.get(f"{server.url}/docs.json", timeout=10).json()["paths"])


def test_concurrent_requests_are_batched_without_mixups(server):
    queries = [
        f"{c} {t} by {b}"
        for c in ("red", "blue", "black")
        for t in ("shoes", "jacket")
        for b in ("nike", "prada", "zara", "puma")
    ]

    def one(q):
        r = parse(server, {"queries": [q, "green dress"]})
        return q, r.status_code, r.json()

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one, queries))
    for q, status, body in outcomes:
        assert status == 200, body
        assert [r["query"] for r in body["results"]] == [q, "green dress"]
        assert body["results"][0]["brand"] == q.split()[-1]


def test_health_docs_and_model_info(server, serving_home):
    for path in ("/healthz", "/livez", "/readyz"):
        assert requests.get(server.url + path, timeout=10).status_code == 200
    spec = requests.get(f"{server.url}/docs.json", timeout=10).json()
    assert "/parse" in spec["paths"] and "/reload" in spec["paths"]
    assert requests.get(f"{server.url}/docs", timeout=10).status_code == 200  # redirect to the UI
    info = requests.get(f"{server.url}/model_info", timeout=10).json()
    assert info["tag"] == info["served_tag"] == serving_home["tags"]["a"]
    assert info["kind"] == "crf" and info["data_version"] == "synthetic-7"
    _, manifest = serving_home["registry"].get(serving_home["tags"]["a"])
    assert info["metrics"] == manifest.metrics and 0.5 < info["metrics"]["evaluation"]["test"]["micro"]["f1"] <= 1
    assert info["provider"] and info["ab"]["enabled"] is False
    assert info["served_tag_source"] == "registry champion"
    assert info["linking"]["tag"] == serving_home["linking_tag"]
    assert info["linking"]["version"] == serving_home["linking_tag"].split(":")[1]
    assert set(info["linking"]["fuzzy_thresholds"]) == {"BRAND", "COLOR", "TYPE"}
    assert info["limits"] == {
        "max_query_chars": 512,
        "max_batch": 64,
        "max_body_bytes": info["limits"]["max_body_bytes"],
        "max_request_chars": 8192,
    }
    assert not {"pid", "registry_home", "prediction_log_dir"} & set(info), "no paths or PID without the token"
    admin = requests.get(f"{server.url}/model_info", headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=10).json()
    assert admin["pid"] > 0 and admin["registry_home"] == str(serving_home["home"])
    assert admin["prediction_log_dir"] == str(server.log_dir.resolve())
    wrong = requests.get(f"{server.url}/model_info", headers={"X-Admin-Token": "nope"}, timeout=10).json()
    assert "pid" not in wrong


def test_prediction_log_is_readable_by_duckdb(server):
    r = parse(server, {"queries": ["white t-shirt by gucci", "jeans"]}, headers={"X-Request-ID": "log-check-1"})
    assert r.status_code == 200
    rows = duckdb.sql(
        f"SELECT request_id, item, ts, query, entities, model_tag, latency_ms, date "
        f"FROM read_json('{server.log_dir}/**/*.jsonl', hive_partitioning = true) "
        f"WHERE request_id = 'log-check-1' ORDER BY item"
    ).fetchall()
    assert [row[3] for row in rows] == ["white t-shirt by gucci", "jeans"]
    request_id, item, ts, query, entities, model_tag, latency_ms, date = rows[0]
    assert model_tag == r.json()["model_tag"] and latency_ms > 0
    assert str(date) == str(ts)[:10]
    assert {e["text"] for e in entities} == {e["text"] for e in r.json()["results"][0]["entities"]}

    def present(canonical):  # DuckDB reads every canonical with the union of their keys
        return {k: v for k, v in (canonical or {}).items() if v is not None}

    assert {e["text"]: present(e["canonical"]) for e in entities} == {
        e["text"]: present(e["canonical"]) for e in r.json()["results"][0]["entities"]
    }, "the log keeps the catalog links the client got"
    files = list(server.log_dir.glob("date=*/part-*.jsonl"))
    assert files, "partitioned by date, one part file per process"
    total = duckdb.sql(f"SELECT count(*) FROM read_json('{server.log_dir}/**/*.jsonl')").fetchall()[0][0]
    assert total >= 2


def test_ab_split_records_both_tags(serving_home, server_factory):
    a, b = serving_home["tags"]["a"], serving_home["tags"]["b"]
    spec = f"{a}:0.5,{b}:0.5"
    ab = server_factory(serving_home["home"], QU_AB_TAGS=spec)
    arms = parse_ab_tags(spec)
    seen = {}
    session = requests.Session()
    for i in range(40):
        rid = f"ab-{i}"
        r = session.post(f"{ab.url}/parse", json={"query": "blue shoes"}, headers={"X-Request-ID": rid}, timeout=30)
        assert r.status_code == 200, r.text
        seen[rid] = r.json()["model_tag"]
        assert seen[rid] == choose_arm(arms, rid)  # deterministic by request id
    assert set(seen.values()) == {a, b}
    again = session.post(f"{ab.url}/parse", json={"query": "red dress"}, headers={"X-Request-ID": "ab-3"}, timeout=30)
    assert again.json()["model_tag"] == seen["ab-3"]
    logged = dict(
        duckdb.sql(
            f"SELECT request_id, model_tag FROM read_json('{ab.log_dir}/**/*.jsonl') WHERE request_id LIKE 'ab-%'"
        ).fetchall()
    )
    assert {k: logged[k] for k in seen} == seen
    info = requests.get(f"{ab.url}/model_info", timeout=10).json()
    assert info["ab"]["enabled"] and {arm["tag"] for arm in info["ab"]["arms"]} == {a, b}
    assert info["batching"]["mode"] == "local"

    # Concurrent requests to both arms: the micro-batcher groups queries of different arms into
    # one batch and must answer each with its own arm's model.
    def one(i):
        rid = f"burst-{i}"
        r = requests.post(
            f"{ab.url}/parse",
            json={"queries": ["red shoes", f"nike jacket {i}"]},
            headers={"X-Request-ID": rid},
            timeout=30,
        )
        return rid, r.status_code, r.json()

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one, range(120)))
    for rid, status, body in outcomes:
        assert status == 200, body
        assert body["model_tag"] == choose_arm(arms, rid)
        assert body["results"][1]["query"] == f"nike jacket {rid.split('-')[1]}"


def test_the_bentoml_route_answers_exactly_as_the_direct_path(server, serving_home, server_factory):
    routed = server_factory(serving_home["home"], QU_DIRECT_PARSE="off")
    payloads = [{"queries": ["blue shoes by prada", "red nike sneakers"]}, {"query": "zara"}]
    for i, payload in enumerate(payloads):
        direct = parse(server, payload, headers={"X-Request-ID": f"same-{i}"})
        through_bentoml = parse(routed, payload, headers={"X-Request-ID": f"same-{i}"})
        assert direct.status_code == through_bentoml.status_code == 200
        assert direct.json() == through_bentoml.json()
        for header in ("x-request-id", "x-model-tag", "content-type"):
            assert direct.headers[header] == through_bentoml.headers[header]
    refused = parse(routed, {"query": ""})  # the guard still validates in front of the route
    assert refused.status_code == 422 and refused.json()["status"] == 422
    rows = duckdb.sql(f"SELECT request_id FROM read_json('{routed.log_dir}/**/*.jsonl')").fetchall()
    assert sorted(r[0] for r in rows) == ["same-0", "same-0", "same-1"]


def test_bentoml_build_offline_references_model_by_tag(serving_home):
    import os
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    repo = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QU_")}
    env.update(BENTOML_HOME=str(serving_home["home"]), BENTOML_DO_NOT_TRACK="True")
    done = subprocess.run(
        [sys.executable, "-m", "bentoml", "build", "-f", "bentos/bentofile.yaml", "."],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (bento_yaml,) = (serving_home["home"] / "bentos" / "query_understanding").glob("*/bento.yaml")
    info = yaml.safe_load(bento_yaml.read_text())
    # the linking index travels beside the model
    assert [m["tag"] for m in info["services"][0]["models"]] == [serving_home["tags"]["a"], serving_home["linking_tag"]]
    assert (bento_yaml.parent / "src" / "query_understanding" / "artifacts.py").is_file()
    assert (bento_yaml.parent / "src" / "bentos" / "service.py").is_file()
    assert (bento_yaml.parent / "src" / "model_registry" / "registry.py").is_file()


# ----------------------------------------------------------------------- reload (changes the registry)
def reload(server, token=ADMIN_TOKEN):
    return requests.post(f"{server.url}/reload", json={}, headers={"X-Admin-Token": token}, timeout=60)


def served_by(server) -> str:
    r = parse(server, {"query": "navy blue jacket"})
    assert r.status_code == 200
    return r.json()["model_tag"]


def test_promote_rollback_then_reload(server, serving_home):
    registry, tags = serving_home["registry"], serving_home["tags"]
    assert served_by(server) == tags["a"]
    registry.promote(tags["b"], reason="test: b is better")
    r = reload(server)
    assert r.status_code == 200, r.text
    assert r.json()["served_tag"] == tags["b"] and r.json()["previous_served_tag"] == tags["a"]
    assert served_by(server) == tags["b"]

    registry.rollback(reason="test: b regressed")
    r = reload(server)
    assert r.status_code == 200 and r.json()["served_tag"] == tags["a"]
    assert served_by(server) == tags["a"]
    assert requests.get(f"{server.url}/model_info", timeout=10).json()["served_tag"] == tags["a"]
    assert [e["action"] for e in registry.history()][-3:] == ["promote", "promote", "rollback"]


def test_failed_reload_keeps_old_model(server, serving_home):
    registry, tags = serving_home["registry"], serving_home["tags"]
    assert served_by(server) == tags["a"]
    path, _ = registry.get(tags["c"])
    (path / "model.crfsuite").write_bytes(b"not a crf model")  # damaged on disk after registration
    registry.promote(tags["c"], reason="test: damaged model")
    r = reload(server)
    assert r.status_code == 500, r.text
    body = r.json()
    assert body["reloaded"] is False and body["served_tag"] == tags["a"]
    assert "reload failed" in body["error"] and tags["c"] in body["error"] and "sha256" in body["error"]
    assert served_by(server) == tags["a"]
    # visible: not ready while the registry wants a model that does not run, and why
    ready = requests.get(f"{server.url}/readyz", timeout=10)
    assert ready.status_code == 503, ready.text
    assert tags["c"] in ready.json()["error"] and tags["a"] in ready.json()["error"]
    info = requests.get(f"{server.url}/model_info", timeout=10).json()
    assert info["served_tag"] == tags["a"] and info["served_tag_source"] == "registry champion"
    assert info["reload"]["last"]["ok"] is False and tags["c"] in info["reload"]["last"]["error"]
    assert info["reload"]["last"]["at"].endswith("Z")
    registry.rollback(reason="test: restore")
    assert requests.get(f"{server.url}/readyz", timeout=10).status_code == 200  # the registry wants a again
    assert reload(server).json()["served_tag"] == tags["a"]
    info = requests.get(f"{server.url}/model_info", timeout=10).json()
    assert info["reload"]["last"]["ok"] is True and tags["c"] in info["reload"]["last_error"]["error"]
    assert server.alive()


def test_reload_needs_the_admin_token(server):
    for token in ("", "wrong"):
        r = reload(server, token)
        assert r.status_code == 401 and r.json() == {"error": "missing or wrong X-Admin-Token", "status": 401}


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ_BODIES = st.binary(max_size=300) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(st.sampled_from(["queries", "query", "q"]) | st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=15,
).map(lambda v: json.dumps(v).encode())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=FUZZ_BODIES)
def test_fuzzed_bodies_never_5xx(server, body):
    r = requests.post(f"{server.url}/parse", data=body, headers=JSON, timeout=30)
    assert r.status_code == 200 or (400 <= r.status_code < 500 and r.json()["error"]), (body, r.status_code, r.text)
    assert server.alive()


def test_linking_can_be_switched_off_and_the_registry_does_not_list_the_index(serving_home, server_factory):
    off = server_factory(serving_home["home"], QU_LINKING_INDEX="off")
    body = requests.post(f"{off.url}/parse", json={"query": "nike red sneakers"}, timeout=30).json()
    assert body["linking_index"] is None
    assert all(e["canonical"] is None and e["novel"] is None for e in body["results"][0]["entities"])
    assert requests.get(f"{off.url}/model_info", timeout=10).json()["linking"] is None
    assert serving_home["linking_tag"] not in {v.tag for v in serving_home["registry"].list_versions()}
