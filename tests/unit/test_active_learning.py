"""Specification of the simulated labelling round (query_understanding.experiments.active_learning)."""

from __future__ import annotations

import pytest
from tiny_crf import synthetic_examples

from query_understanding.crf import CRFConfig, train_crf
from query_understanding.experiments.active_learning import (
    curve_summary,
    learning_curve,
    queue_pick,
    random_pick,
    served_predictions,
    split_start,
    summary_markdown,
)


def small_crf(rows):
    return train_crf(rows, CRFConfig(max_iterations=30))


def test_the_start_and_the_pool_are_a_seeded_partition_of_train():
    train = synthetic_examples(60, seed=3)
    start, pool = split_start(train, 20, seed=5)
    again, _ = split_start(train, 20, seed=5)
    other, _ = split_start(train, 20, seed=6)
    assert len(start) == 20 and len(pool) == 40
    assert sorted(map(id, start + pool)) == sorted(map(id, train))
    assert [e.tokens for e in start] == [e.tokens for e in again]
    assert [e.tokens for e in start] != [e.tokens for e in other]
    with pytest.raises(ValueError, match="start_size"):
        split_start(train, 60, seed=5)


def test_the_pool_is_ranked_by_the_uncertainty_the_service_logs(tiny_crf):
    unique = {" ".join(e.tokens): e for e in synthetic_examples(200, seed=11)}
    pool = list(unique.values())  # one row per text: the priority is the doubt itself
    rows = served_predictions(tiny_crf, pool)
    parsed = tiny_crf.parse([row["query"] for row in rows])
    assert [row["uncertainty"] for row in rows] == [p.uncertainty for p in parsed]

    picked = queue_pick(tiny_crf, pool, 5)
    by_text = {row["query"]: row["uncertainty"] for row in rows}
    picked_doubt = min(by_text[" ".join(e.tokens)] for e in picked)
    left = [by_text[" ".join(e.tokens)] for e in pool if e not in picked]
    assert picked and all(picked_doubt >= doubt for doubt in left)
    assert random_pick(pool, 5, seed=1) == random_pick(pool, 5, seed=1) and len(random_pick(pool, 5, seed=1)) == 5


def test_the_curve_retrains_a_real_model_per_strategy_and_k():
    train, dev = synthetic_examples(90, seed=21), synthetic_examples(30, seed=22)
    points = learning_curve(train, dev, small_crf, ks=[10], seeds=[1, 2], start_size=20)
    assert {(p.seed, p.strategy, p.k) for p in points} == {
        (seed, strategy, k) for seed in (1, 2) for strategy in ("queue", "random") for k in (0, 10)
    }
    # a queued text reveals every pool row with that text; a random pick reveals k rows
    assert all(p.n_train == 20 + p.k if p.strategy == "random" else p.n_train >= 20 + p.k for p in points)
    assert all(0.0 <= p.micro_f1 <= 1.0 for p in points)
    summary = curve_summary(points)
    assert [row["k"] for row in summary] == [0, 10] and summary[0]["gain"] == 0.0
    assert "| 10 | 2 |" in summary_markdown(summary)
