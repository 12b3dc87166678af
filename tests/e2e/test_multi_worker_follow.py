"""Two workers behind one port follow a promotion: after the registry changes, every answer
comes from the new model within a few seconds, whichever worker takes the request (before,
``POST /reload`` reached one worker and the other kept the old model)."""

from __future__ import annotations

import time

import pytest
import requests

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_workers(serving_home, server_factory):
    return server_factory(
        serving_home["home"], QU_WORKERS="2", QU_FOLLOW_REGISTRY_S="1", QU_HEAD_CACHE="off", QU_ADMIN_TOKEN="t"
    )


def answering_tags(server, n: int = 40) -> set[str]:
    tags = set()
    for i in range(n):
        # a fresh connection per request, so both workers take some
        r = requests.post(
            f"{server.url}/parse", json={"query": f"red shoes {i}"}, headers={"Connection": "close"}, timeout=10
        )
        r.raise_for_status()
        tags.add(r.headers["x-model-tag"])
    return tags


def worker_pids(server, n: int = 40) -> set[int]:
    return {
        requests.get(
            f"{server.url}/model_info", headers={"X-Admin-Token": "t", "Connection": "close"}, timeout=10
        ).json()["pid"]
        for _ in range(n)
    }


def test_every_worker_serves_a_promoted_model_within_seconds(two_workers, serving_home):
    registry, tags = serving_home["registry"], serving_home["tags"]
    assert len(worker_pids(two_workers)) == 2  # both workers take requests
    assert answering_tags(two_workers) == {tags["a"]}
    registry.promote(tags["b"], reason="test: promotion with two workers")
    deadline, seen = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        time.sleep(1)
        seen = answering_tags(two_workers)
        if seen == {tags["b"]}:
            break
    assert seen == {tags["b"]}
    info = requests.get(f"{two_workers.url}/model_info", timeout=10).json()
    assert info["served_tag"] == tags["b"] and info["reload"]["last"]["ok"]
