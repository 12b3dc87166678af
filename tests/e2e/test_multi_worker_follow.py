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


def worker_pids(server, timeout_s: float = 90) -> set[int]:
    """The PIDs answering ``/model_info`` on fresh connections, until two are seen (the server is
    ready when its first worker is; the second may still be loading its models)."""
    pids: set[int] = set()
    deadline = time.monotonic() + timeout_s
    while len(pids) < 2 and time.monotonic() < deadline:
        headers = {"X-Admin-Token": "t", "Connection": "close"}
        pids.add(requests.get(f"{server.url}/model_info", headers=headers, timeout=10).json()["pid"])
    return pids


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
