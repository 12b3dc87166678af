"""Is the annotation queue worth a labeller's time? A simulated labelling round on gold data.

OpenTag's protocol: train a model on a small labelled part of the train split, treat the rest
as unlabelled served traffic, let the product's own queue
(:func:`~query_understanding.annotation.queue.rank_for_annotation`, fed with the model's
predictions exactly as the prediction log feeds it) pick the top ``k``, reveal their gold
labels, retrain and score on dev; against ``k`` picked at random from the same pool. One round
per ``k`` from the same starting model, so the curve compares choices, not compounding rounds.

A seed fixes the starting part and the random pick; the CRF itself is deterministic (L-BFGS),
so the spread over seeds is the spread of the data, which is what a labeller would face.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from query_understanding.annotation.queue import rank_for_annotation
from query_understanding.evaluation import evaluate_tagger
from query_understanding.example import Example
from query_understanding.tagger import Tagger
from query_understanding.text import normalize_query

STRATEGIES = ("queue", "random")

#: ``train(rows) -> tagger``: how a round's model is trained (the CRF with the job's config).
Trainer = Callable[[Sequence[Example]], Tagger]


@dataclass(frozen=True)
class CurvePoint:
    """Dev micro F1 after revealing ``k`` pool rows picked by ``strategy`` (k=0: the start)."""

    seed: int
    strategy: str
    k: int
    n_train: int
    micro_f1: float
    f1_by_type: dict[str, float]

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "strategy": self.strategy,
            "k": self.k,
            "n_train": self.n_train,
            "micro_f1": round(self.micro_f1, 4),
            **{f"f1_{t}": round(v, 4) for t, v in sorted(self.f1_by_type.items())},
        }


def split_start(train: Sequence[Example], start_size: int, seed: int) -> tuple[list[Example], list[Example]]:
    """``(labelled start, unlabelled pool)``: a seeded shuffle of ``train`` cut at ``start_size``."""
    if not 0 < start_size < len(train):
        raise ValueError(f"start_size must be between 1 and {len(train) - 1}, got {start_size}")
    rows = list(train)
    random.Random(seed).shuffle(rows)
    return rows[:start_size], rows[start_size:]


def served_predictions(tagger: Tagger, pool: Sequence[Example]) -> list[dict]:
    """The pool as prediction-log rows: what :meth:`Tagger.parse` answers the service's clients
    (query, entities with scores, ``uncertainty``) for each row's text."""
    parsed = tagger.parse([" ".join(example.tokens) for example in pool])
    return [
        {"query": p.query, "entities": [e.to_dict() for e in p.entities], "uncertainty": p.uncertainty} for p in parsed
    ]


def queue_pick(tagger: Tagger, pool: Sequence[Example], k: int) -> list[Example]:
    """The pool rows the annotation queue ranks first (``k`` distinct normalized texts)."""
    ranked = rank_for_annotation(served_predictions(tagger, pool), limit=k)
    by_norm: dict[str, list[Example]] = {}
    for example in pool:
        by_norm.setdefault(normalize_query(" ".join(example.tokens)), []).append(example)
    return [example for item in ranked for example in by_norm[item.query_norm]]


def random_pick(pool: Sequence[Example], k: int, seed: int) -> list[Example]:
    """``k`` pool rows drawn uniformly at random (the labeller's alternative)."""
    return random.Random(seed + 1).sample(list(pool), min(k, len(pool)))


def _point(tagger: Tagger, dev: Sequence[Example], seed: int, strategy: str, k: int, n_train: int) -> CurvePoint:
    overall = evaluate_tagger(tagger, dev, behavioral=False, n_worst=0).overall
    by_type = {t: c.f1 for t, c in overall.per_type.items()}
    return CurvePoint(seed, strategy, k, n_train, overall.micro.f1, by_type)


def learning_curve(
    train: Sequence[Example],
    dev: Sequence[Example],
    trainer: Trainer,
    ks: Iterable[int],
    seeds: Iterable[int],
    start_size: int,
    progress: Callable[[CurvePoint], None] = lambda point: None,
) -> list[CurvePoint]:
    """Every (seed, strategy, k) point, the k=0 start once per seed under each strategy."""
    points = []
    for seed in seeds:
        start, pool = split_start(train, start_size, seed)
        model = trainer(start)
        for strategy in STRATEGIES:
            points.append(_point(model, dev, seed, strategy, 0, len(start)))
            progress(points[-1])
        for k in sorted(ks):
            for strategy, picked in (("queue", queue_pick(model, pool, k)), ("random", random_pick(pool, k, seed))):
                rows = [*start, *picked]
                points.append(_point(trainer(rows), dev, seed, strategy, k, len(rows)))
                progress(points[-1])
    return points


def curve_summary(points: Sequence[CurvePoint]) -> list[dict]:
    """Mean and sd of dev micro F1 per (strategy, k) over seeds, with the queue's gain over random."""
    from statistics import mean, pstdev

    cells: dict[tuple[str, int], list[float]] = {}
    for p in points:
        cells.setdefault((p.strategy, p.k), []).append(p.micro_f1)
    rows = []
    for k in sorted({k for _, k in cells}):
        queue, rand = cells.get(("queue", k), []), cells.get(("random", k), [])
        rows.append(
            {
                "k": k,
                "seeds": len(queue),
                "queue_mean": mean(queue),
                "queue_sd": pstdev(queue),
                "random_mean": mean(rand),
                "random_sd": pstdev(rand),
                "gain": mean(queue) - mean(rand),
            }
        )
    return rows


def summary_markdown(rows: Sequence[dict]) -> str:
    """The curve as a markdown table: k, queue and random mean ± sd, the queue's gain."""
    lines = [
        "| k revealed | seeds | queue micro F1 | random micro F1 | queue − random |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['k']} | {r['seeds']} | {r['queue_mean']:.4f} ± {r['queue_sd']:.4f} "
            f"| {r['random_mean']:.4f} ± {r['random_sd']:.4f} | {r['gain']:+.4f} |"
        )
    return "\n".join(lines)
