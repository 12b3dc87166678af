"""Specification: a real ``bentoml serve`` answers the head queries from the cache built for the
model it serves, marks those answers ``"source": "cache"`` (the same answer the model gives), logs
the source, and after a reload to another tag answers from the model again (``/model_info`` says
why); the lean path keeps ``/metrics`` counting /parse and writes no access log line."""

from __future__ import annotations

import json

import pytest
import requests
from conftest import ADMIN_TOKEN

from model_registry.head_caches import register_head_cache
from model_registry.linking_indexes import load_linking_index
from query_understanding.artifacts import load_tagger
from query_understanding.head_cache import build_head_cache, model_answers, save_head_cache

pytestmark = pytest.mark.slow

HEAD = "blue shoes by prada"
ADMIN = {"X-Admin-Token": ADMIN_TOKEN}


@pytest.fixture(scope="module")
def cache_server(serving_home, server_factory):
    return server_factory(serving_home["home"], QU_ADMIN_TOKEN=ADMIN_TOKEN)


def parse(server, queries: list[str], request_id: str) -> dict:
    response = requests.post(f"{server.url}/parse", json={"queries": queries}, headers={"X-Request-ID": request_id})
    assert response.status_code == 200, response.text
    return response.json()


def reload(server) -> dict:
    response = requests.post(f"{server.url}/reload", headers=ADMIN, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def head_cache_info(server) -> dict:
    return requests.get(f"{server.url}/model_info", timeout=10).json()["head_cache"]


def register_cache_for(serving_home, tag: str, tmp_path) -> str:
    registry = serving_home["registry"]
    index = load_linking_index(registry, serving_home["linking_tag"])
    answer = model_answers(load_tagger(registry.get(tag)[0]), index)
    cache = build_head_cache({HEAD: 10, "zara": 1}, answer, tag, index.version, top_n=1)
    return register_head_cache(registry, save_head_cache(cache, tmp_path).parent)


def test_head_queries_come_from_the_cache_of_the_served_model_until_a_reload_to_another(
    cache_server, serving_home, tmp_path
):
    tags, registry = serving_home["tags"], serving_home["registry"]
    assert "no head cache built for" in head_cache_info(cache_server)["reason_unused"]
    from_model = parse(cache_server, [HEAD], "hc-before")["results"][0]
    assert from_model["source"] == "model"

    cache_tag = register_cache_for(serving_home, tags["a"], tmp_path)
    assert reload(cache_server)["served_tag"] == tags["a"]  # same tag: the reload finds the new cache
    info = head_cache_info(cache_server)
    assert info["enabled"] and info["tag"] == cache_tag and info["model_tag"] == tags["a"]
    body = parse(cache_server, [HEAD, "Blue shoes by prada", "zara"], "hc-cached")
    assert [r["source"] for r in body["results"]] == ["cache", "model", "model"]
    assert body["results"][0] == from_model | {"source": "cache"}
    assert body["model_tag"] == tags["a"] and body["linking_index"] is not None

    logged = [json.loads(line) for p in cache_server.log_dir.rglob("*.jsonl") for line in p.read_text().splitlines()]
    assert [r["source"] for r in logged if r["request_id"] == "hc-cached"] == ["cache", "model", "model"]

    registry.promote(tags["b"], reason="test: a new champion")
    try:
        assert reload(cache_server)["served_tag"] == tags["b"]
        after = parse(cache_server, [HEAD], "hc-after")
        assert after["model_tag"] == tags["b"] and after["results"][0]["source"] == "model"
        info = head_cache_info(cache_server)
        assert not info["enabled"] and f"no head cache built for {tags['b']}" in info["reason_unused"]
    finally:
        registry.rollback(reason="test: restore")
        reload(cache_server)


def test_the_lean_path_keeps_metrics_writes_no_access_log_and_generates_cheap_ids(cache_server):
    for i in range(3):
        parse(cache_server, ["red nike sneakers"], f"metrics-{i}")
    generated = requests.post(f"{cache_server.url}/parse", json={"query": "zara"}).json()["request_id"]
    prefix, _, counter = generated.partition("-")
    assert len(prefix) == 12 and int(counter, 16) >= 1
    metrics = requests.get(f"{cache_server.url}/metrics", timeout=10).text
    parse_counts = [
        line
        for line in metrics.splitlines()
        if line.startswith("bentoml_service_request_total") and 'endpoint="/parse"' in line
    ]
    assert parse_counts and sum(float(line.rsplit(" ", 1)[1]) for line in parse_counts) >= 4
    assert 'bentoml_service_request_duration_seconds_count{endpoint="/parse"' in metrics.replace(", ", ",")
    assert "path=/parse" not in cache_server.log_path.read_text(errors="replace")
