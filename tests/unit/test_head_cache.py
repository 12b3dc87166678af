"""Specification: the head-query cache holds the served model's answers to the most frequent
normalized queries, answers only exact normalized queries, only for the model tag and linking
index it was built with, and a file whose content does not match its hash is refused."""

from __future__ import annotations

import json

import pytest
from tiny_crf import train_tiny_crf

from bentos.config import ServeSettings
from bentos.head_cache import merge_answers, misses, resolve_head_cache
from model_registry import ModelRegistry
from model_registry.head_caches import head_cache_tags, register_head_cache
from query_understanding.artifacts import load_tagger
from query_understanding.head_cache import (
    CACHE_FILE,
    HeadCacheError,
    build_head_cache,
    count_normalized,
    load_head_cache,
    model_answers,
    save_head_cache,
    top_queries,
)

LOG = [("Blue Shoes by  Prada", 5), ("blue shoes by prada", 4), ("nike red sneakers", 6), ("zara", 1), ("  ", 3)]


@pytest.fixture(scope="module")
def tagger(tmp_path_factory):
    return load_tagger(train_tiny_crf(tmp_path_factory.mktemp("crf"), seed=7))


@pytest.fixture(scope="module")
def cache(tagger):
    return build_head_cache(count_normalized(LOG), model_answers(tagger), "qu-crf:a", None, top_n=2)


def test_queries_are_counted_by_normalized_form_and_the_top_n_chosen_by_count():
    counts = count_normalized(LOG)
    assert counts == {"blue shoes by prada": 9, "nike red sneakers": 6, "zara": 1}
    assert top_queries(counts, 2) == ["blue shoes by prada", "nike red sneakers"]
    assert top_queries({"b": 1, "a": 1}, 1) == ["a"]  # ties by text: reproducible


def test_the_cache_records_coverage_and_the_models_answer(cache, tagger):
    assert set(cache.entries) == {"blue shoes by prada", "nike red sneakers"}
    assert cache.stats["coverage"] == pytest.approx(15 / 16)
    assert cache.get("blue shoes by prada") == tagger.parse(["blue shoes by prada"])[0].to_dict()


def test_only_a_query_sent_in_normalized_form_hits(cache):
    assert cache.get("nike red sneakers") is not None
    assert cache.get("Nike red sneakers") is None  # casing is model input: not the same answer
    assert cache.get("zara") is None  # not in the head


def test_a_cache_is_unusable_for_another_model_tag_or_linking_index(cache):
    assert cache.unusable_reason("qu-crf:a", None) is None
    assert "serving qu-crf:b" in cache.unusable_reason("qu-crf:b", None)
    assert "linking index" in cache.unusable_reason("qu-crf:a", "abc123")


def test_save_and_load_round_trip_and_a_tampered_file_is_refused(cache, tmp_path):
    path = save_head_cache(cache, tmp_path)
    loaded = load_head_cache(tmp_path)
    assert loaded == cache and loaded.version == cache.version
    body = json.loads(path.read_text())
    body["entries"]["nike red sneakers"]["tags"] = ["O", "O", "O"]
    path.write_text(json.dumps(body))
    with pytest.raises(HeadCacheError, match="hashes to"):
        load_head_cache(path)


def test_the_service_uses_the_cache_built_for_its_tag_and_ignores_a_stale_one(cache, tmp_path):
    registry = ModelRegistry(tmp_path / "home")
    tag = register_head_cache(registry, save_head_cache(cache, tmp_path / "c").parent)
    assert head_cache_tags(registry, "qu-crf:a") == [tag] and head_cache_tags(registry, "qu-crf:b") == []
    served = resolve_head_cache(registry, ServeSettings(), "qu-crf:a", None)
    assert served.cache == cache and served.reason is None
    unbuilt = resolve_head_cache(registry, ServeSettings(), "qu-crf:b", None)
    assert unbuilt.cache is None and "no head cache built for qu-crf:b" in unbuilt.reason
    named_stale = resolve_head_cache(registry, ServeSettings(head_cache=tag), "qu-crf:b", None)
    assert named_stale.cache is None and "stale" in named_stale.reason
    off = resolve_head_cache(registry, ServeSettings(head_cache="off"), "qu-crf:a", None)
    assert off.cache is None and "off" in off.reason


def test_a_stored_cache_whose_file_was_damaged_is_refused_not_served(cache, tmp_path):
    registry = ModelRegistry(tmp_path / "home")
    tag = register_head_cache(registry, save_head_cache(cache, tmp_path / "c").parent)
    stored = next(p for p in (tmp_path / "home").rglob(CACHE_FILE))
    stored.write_text(stored.read_text().replace("B-BRAND", "B-COLOR"))
    served = resolve_head_cache(registry, ServeSettings(), "qu-crf:a", None)
    assert served.cache is None and "refused" in served.reason and tag in served.reason


def test_lookup_answers_hits_for_the_cache_model_only_and_merges_model_answers_in_order(cache, tmp_path):
    registry = ModelRegistry(tmp_path / "home")
    register_head_cache(registry, save_head_cache(cache, tmp_path / "c").parent)
    served = resolve_head_cache(registry, ServeSettings(), "qu-crf:a", None)
    batch = ["zara", "nike red sneakers"]
    assert served.lookup("qu-crf:other-arm", batch) is None
    cached = served.lookup("qu-crf:a", batch)
    assert misses(cached, batch) == ["zara"]
    merged = merge_answers(cached, [{"query": "zara", "model_tag": "qu-crf:a"}])
    assert [(r["query"], r["source"]) for r in merged] == [("zara", "model"), ("nike red sneakers", "cache")]
    assert merged[1]["model_tag"] == "qu-crf:a" and (served.hits, served.misses) == (1, 1)


def test_the_held_out_day_hit_rate_asks_the_last_day_of_a_cache_built_from_the_days_before():
    from query_understanding.head_cache import held_out_day_hit_rate

    rows = [("2026-11-29", "red shoes", 5), ("2026-11-30", "Red  Shoes", 1), ("2026-11-30", "zara", 4)]
    rows += [("2026-12-01", "red shoes", 3), ("2026-12-01", "zara", 1), ("2026-12-01", "gucci bag", 4)]
    assert held_out_day_hit_rate(rows, top_n=1) == {
        "day": "2026-12-01",
        "days_before": 2,
        "queries": 8,
        "hit_rate": 0.375,
    }
    assert held_out_day_hit_rate(rows, top_n=2)["hit_rate"] == 0.5
    assert held_out_day_hit_rate(rows[:1], top_n=5) is None  # one day: nothing to hold out
