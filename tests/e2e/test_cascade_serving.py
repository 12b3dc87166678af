"""A cascade served like any model by a real ``bentoml serve``: each answer says whether the
second tagger answered it, ``/model_info`` reports the share routed, the log records it."""

from __future__ import annotations

import json

import pytest
import requests

from query_understanding.artifacts import save_tagger
from query_understanding.cascade import CascadeTagger

pytestmark = pytest.mark.slow

QUERIES = ["blue shoes by prada", "nikee air max black mens", "red dress", "zara jeans", "cheap shoes for men"]


@pytest.fixture(scope="module")
def cascade_server(serving_home, tiny_artifacts, server_factory, tmp_path_factory):
    # a high threshold: the tiny CRF doubts some of these queries and is sure of others
    cascade = CascadeTagger.from_artifacts(tiny_artifacts["a"], tiny_artifacts["b"], threshold=0.9)
    path, _ = save_tagger(cascade, tmp_path_factory.mktemp("cascade"))
    tag = serving_home["registry"].register(path)
    return server_factory(serving_home["home"], QU_SERVE_TAG=tag, QU_HEAD_CACHE="off"), tag, cascade


def test_a_served_cascade_says_per_query_which_tagger_answered_and_reports_the_share(cascade_server):
    server, tag, local = cascade_server
    r = requests.post(f"{server.url}/parse", json={"queries": QUERIES}, timeout=30)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert r.json()["model_tag"] == tag
    expected = [p.routed for p in local.parse(QUERIES)]
    assert [x["routed"] for x in results] == expected
    assert any(expected) and not all(expected), expected  # the fixture exercises both paths
    info = requests.get(f"{server.url}/model_info", timeout=10).json()
    assert info["kind"] == "cascade"
    cascade = info["cascade"]
    assert (cascade["queries"], cascade["routed"]) == (len(QUERIES), sum(expected))
    assert cascade["threshold"] == 0.9 and cascade["members"]["second"]["kind"] == "crf"
    assert cascade["share_routed"] == round(sum(expected) / len(QUERIES), 4)


def test_the_prediction_log_records_whether_each_answer_was_routed(cascade_server):
    server, tag, local = cascade_server
    requests.post(f"{server.url}/parse", json={"queries": QUERIES}, timeout=30).raise_for_status()
    rows = [json.loads(line) for p in server.log_dir.glob("date=*/*.jsonl") for line in p.read_text().splitlines()]
    logged = {row["query"]: row["routed"] for row in rows if row["model_tag"] == tag}
    assert logged == {q: p.routed for q, p in zip(QUERIES, local.parse(QUERIES))}
