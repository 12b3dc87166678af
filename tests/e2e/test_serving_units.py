"""Serving building blocks without a server: A/B config, validation, micro-batcher, log."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from bentos.batcher import MicroBatcher, Overloaded
from bentos.config import ConfigError, Limits, ServeSettings, choose_arm, parse_ab_tags
from bentos.model_pool import load_model_set, tag_items
from bentos.prediction_log import PredictionLog
from bentos.validation import InputError, parse_body


def test_parse_ab_tags_and_choose_arm():
    arms = parse_ab_tags("qu-crf:v1:9, qu-onnx:v2:1")
    assert arms == [("qu-crf:v1", 0.9), ("qu-onnx:v2", pytest.approx(0.1))]
    picks = [choose_arm(arms, f"r{i}") for i in range(2000)]
    assert picks == [choose_arm(arms, f"r{i}") for i in range(2000)]  # deterministic
    assert 0.05 < picks.count("qu-onnx:v2") / len(picks) < 0.15
    for bad in ("qu-crf:v1", "qu-crf:v1:x,b:1", "a:1,a:1", "a:0,b:0", "a:-1,b:2"):
        with pytest.raises(ConfigError):
            parse_ab_tags(bad)
    assert parse_ab_tags("") == []


def test_settings_from_env(monkeypatch):
    monkeypatch.setenv("QU_MAX_BATCH", "8")
    monkeypatch.setenv("QU_BATCHING", "off")
    settings = ServeSettings.from_env()
    assert settings.limits.max_batch == 8 and settings.batching == "off"
    monkeypatch.setenv("QU_BATCHING", "sometimes")
    with pytest.raises(ConfigError, match="QU_BATCHING"):
        ServeSettings.from_env()
    monkeypatch.setenv("QU_BATCHING", "local")
    assert ServeSettings.from_env().prediction_log_sync == "after"
    monkeypatch.setenv("QU_PREDICTION_LOG_SYNC", "Before")
    assert ServeSettings.from_env().prediction_log_sync == "before"
    monkeypatch.setenv("QU_PREDICTION_LOG_SYNC", "later")
    with pytest.raises(ConfigError, match="QU_PREDICTION_LOG_SYNC"):
        ServeSettings.from_env()
    monkeypatch.delenv("QU_PREDICTION_LOG_SYNC")
    monkeypatch.setenv("QU_MAX_QUERY_CHARS", "zero")
    with pytest.raises(ConfigError, match="QU_MAX_QUERY_CHARS"):
        ServeSettings.from_env()


@pytest.mark.parametrize(
    "body, status",
    [
        (b'{"queries": ["a", "b"]}', None),
        (b'{"query": "a"}', None),
        (b"\xff", 400),
        (b"{", 400),
        (b"[]", 422),
        (b'{"queries": ["a", 1]}', 422),
        (b'{"query": "' + b"x" * 20 + b'"}', 422),
        (json.dumps({"queries": ["a"] * 5}).encode(), 413),
    ],
)
def test_parse_body(body, status):
    limits = Limits(max_query_chars=10, max_batch=4, max_body_bytes=1000)
    if status is None:
        assert parse_body(body, limits)
    else:
        with pytest.raises(InputError) as info:
            parse_body(body, limits)
        assert info.value.status == status and info.value.message


def test_micro_batcher_groups_concurrent_requests_in_order():
    calls = []

    def fn(items):
        calls.append(len(items))
        return [f"r:{x}" for x in items]

    async def main():
        batcher = MicroBatcher(fn, max_batch_size=8, max_wait_ms=5)
        results = await asyncio.gather(*(batcher.submit([f"{i}a", f"{i}b"]) for i in range(10)))
        return batcher, results

    batcher, results = asyncio.run(main())
    assert results == [[f"r:{i}a", f"r:{i}b"] for i in range(10)]
    assert sum(calls) == 20 and max(calls) <= 8 and len(calls) < 10  # batched, never split
    assert batcher.stats()["largest_batch"] == max(calls)


def test_micro_batcher_errors_and_overload():
    def boom(items):
        raise ValueError("model failed")

    async def main():
        batcher = MicroBatcher(boom, max_batch_size=4, max_queue=4)
        with pytest.raises(ValueError, match="model failed"):
            await batcher.submit(["a"])
        with pytest.raises(Overloaded):
            await batcher.submit(["a"] * 5)

    asyncio.run(main())


def test_tag_items_answers_each_item_with_its_model(registry, tiny_artifacts):
    a = registry.register(tiny_artifacts["a"])
    registry.promote(a)
    model_set = load_model_set(registry, ServeSettings())
    out = tag_items(model_set, [{"tag": a, "query": "red nike shoes"}, {"tag": "qu-crf:gone", "query": "jeans"}])
    assert out[0]["brand"] == "nike" and out[0]["model_tag"] == a
    assert out[1]["model_tag"] == a  # an unknown tag is answered by the served model


def test_a_query_limit_above_the_default_is_honoured_down_to_the_tagger(registry, tiny_artifacts):
    # The limit is validated once (RequestGuard) and the tagger is told the same limit: a
    # configured QU_MAX_QUERY_CHARS above 512 used to pass the service and fail in the tagger.
    a = registry.register(tiny_artifacts["a"])
    registry.promote(a)
    limits = Limits(max_query_chars=1000)
    long_query = "red nike shoes " * 40  # 600 characters
    assert parse_body(json.dumps({"query": long_query}).encode(), limits) == [long_query]
    out = tag_items(load_model_set(registry, ServeSettings()), [{"tag": a, "query": long_query}], None, 1000)
    assert out[0]["query"] == long_query and out[0]["brand"] == "nike"


def test_the_service_settings_take_the_shared_prediction_log_location(monkeypatch, tmp_path):
    monkeypatch.setenv("QU_PREDICTION_LOG_DIR", str(tmp_path / "logs"))
    assert ServeSettings.from_env().prediction_log_dir == (tmp_path / "logs").resolve()
    monkeypatch.delenv("QU_PREDICTION_LOG_DIR")
    monkeypatch.setenv("QU_DATA_DIR", str(tmp_path / "data"))
    assert ServeSettings.from_env().prediction_log_dir == (tmp_path / "data" / "prediction_logs").resolve()


def test_prediction_log_group_commit(tmp_path):
    log = PredictionLog(tmp_path)

    def rows(i):
        return PredictionLog.make_rows(f"req-{i}", [{"query": f"q{i}", "entities": []}], "qu-crf:x", 1.0)

    threads = [threading.Thread(target=log.append, args=(rows(i),)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    files = list(tmp_path.glob("date=*/part-*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert sorted(r["request_id"] for r in lines) == sorted(f"req-{i}" for i in range(50))
    assert files[0].parent.name == "date=" + lines[0]["ts"][:10]


# --------------------------------------------------------------------------- fuzz
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
PAYLOADS = JSON_VALUES | st.fixed_dictionaries(
    {},
    optional={
        "queries": st.lists(st.text(max_size=40) | JSON_VALUES, max_size=8),
        "query": st.text(max_size=40) | JSON_VALUES,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | PAYLOADS.map(lambda v: json.dumps(v).encode()))
def test_parse_body_fuzz_only_input_errors(body):
    limits = Limits(max_query_chars=30, max_batch=6, max_body_bytes=4096)
    try:
        queries = parse_body(body, limits)
    except InputError as exc:
        assert 400 <= exc.status < 500 and exc.message
    else:
        assert queries and all(isinstance(q, str) and q.strip() and len(q) <= 30 for q in queries)


def test_micro_batcher_caps_a_batch_by_total_cost_not_only_count():
    calls = []

    def fn(items):
        calls.append(sum(len(x) for x in items))
        return items

    async def main():
        batcher = MicroBatcher(fn, max_batch_size=100, max_batch_cost=10, cost=len)
        return await asyncio.gather(*(batcher.submit(["abcd"]) for _ in range(9)))

    assert asyncio.run(main()) == [["abcd"]] * 9
    assert max(calls) <= 10 and sum(calls) == 36  # at most two 4-char queries per batch


def test_the_request_character_budget_is_a_413_naming_its_variable(monkeypatch):
    monkeypatch.delenv("QU_MAX_REQUEST_CHARS", raising=False)
    limits = Limits(max_query_chars=512, max_batch=64, max_body_bytes=1 << 20, max_request_chars=1000)
    assert parse_body(json.dumps({"queries": ["x" * 500, "y" * 500]}).encode(), limits)
    with pytest.raises(InputError) as info:
        parse_body(json.dumps({"queries": ["x" * 500] * 3}).encode(), limits)
    assert info.value.status == 413 and "QU_MAX_REQUEST_CHARS" in info.value.message
    assert Limits.from_env().max_request_chars == 8192
