"""The cascade on held-out queries: accuracy, share routed and speed against its members.

The threshold is chosen on the same kind of data the pipeline chooses it on (dev), so scoring it
on those very rows would flatter it. Here dev is split in two seeded halves; each half is scored
with the threshold chosen on the *other* half (two-fold cross-fitting), and the pooled counts
give the cascade's figure. The threshold the pipeline would pick (on all of dev) is reported too.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import Sequence

from query_understanding.cascade import DEFAULT_MAX_F1_DROP, choose_threshold, route_confidence
from query_understanding.evaluation.metrics import entity_metrics
from query_understanding.example import Example
from query_understanding.tagger import Tagger


@dataclass(frozen=True)
class CascadeResult:
    micro_f1: float
    per_type_f1: dict[str, float]
    share_routed: float
    thresholds: tuple[float, float]  # chosen on half A (used on B), on half B (used on A)
    threshold_all_dev: float
    share_routed_all_dev: float


def halves(n: int, seed: int) -> tuple[list[int], list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return sorted(order[: n // 2]), sorted(order[n // 2 :])


def cross_fitted(
    dev: Sequence[Example], first: Tagger, second: Tagger, seed: int, max_f1_drop: float = DEFAULT_MAX_F1_DROP
) -> CascadeResult:
    """Two-fold cross-fitted cascade figures on ``dev`` (see the module docstring)."""
    tokens = [e.tokens for e in dev]
    gold = [e.tags for e in dev]
    first_out = first.predict_tags_with_scores(tokens)
    second_tags = [tags for tags, _ in second.predict_tags_with_scores(tokens)]
    confidence = [route_confidence(scores) for _, scores in first_out]
    a, b = halves(len(dev), seed)
    routed = [False] * len(dev)
    thresholds = []
    for fit, use in ((a, b), (b, a)):
        choice = choose_threshold(
            [gold[i] for i in fit], [first_out[i] for i in fit], [second_tags[i] for i in fit], max_f1_drop
        )
        thresholds.append(choice.threshold)
        for i in use:
            routed[i] = confidence[i] < choice.threshold
    pred = [second_tags[i] if routed[i] else first_out[i][0] for i in range(len(dev))]
    metrics = entity_metrics(gold, pred)
    overall = choose_threshold(gold, first_out, second_tags, max_f1_drop)
    return CascadeResult(
        metrics.micro.f1,
        {t: c.f1 for t, c in metrics.per_type.items()},
        sum(routed) / len(routed),
        (thresholds[0], thresholds[1]),
        overall.threshold,
        overall.share_routed,
    )


def throughput(
    taggers: dict[str, Tagger], queries: Sequence[str], batch_size: int = 32, rounds: int = 5
) -> dict[str, float]:
    """In-process queries/s of ``tagger.parse`` over ``queries`` in batches, arms alternated per
    round (the machine is shared: ratios within a round mean more than absolute figures); medians."""
    batches = [list(queries[i : i + batch_size]) for i in range(0, len(queries), batch_size)]
    per_arm: dict[str, list[float]] = {name: [] for name in taggers}
    for tagger in taggers.values():
        tagger.parse(batches[0])  # warm-up
    for r in range(rounds):
        names = list(taggers) if r % 2 == 0 else list(reversed(taggers))
        for name in names:
            started = time.perf_counter()
            for batch in batches:
                taggers[name].parse(batch)
            per_arm[name].append(len(queries) / (time.perf_counter() - started))
    return {name: round(statistics.median(v), 1) for name, v in per_arm.items()}
