"""Latency and throughput of a tagger, measured the same way everywhere.

Used by the comparison asset and the benchmark script, so the figures in the UI and in a
terminal mean the same thing: single-query ``parse`` latency (tokenizing, features and decoding
included) as p50/p99 over many calls, and throughput of ``parse`` on batches of 64. Absolute
numbers depend on the machine and its load; compare models measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from typing import Sequence

from query_understanding.tagger import Tagger


@dataclass(frozen=True)
class LatencyReport:
    p50_ms: float
    p99_ms: float
    mean_ms: float
    throughput_qps: float
    n_single: int
    batch_size: int

    def to_dict(self) -> dict:
        return asdict(self)


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def measure_latency(
    tagger: Tagger,
    queries: Sequence[str],
    n_single: int = 200,
    batch_size: int = 64,
    n_batches: int = 5,
    warmup: int = 10,
) -> LatencyReport:
    """Time ``tagger.parse`` on one query at a time, then on batches of ``batch_size``."""
    queries = [q for q in queries if q.strip()]
    if not queries:
        raise ValueError("no queries to time")
    for query in queries[:warmup]:
        tagger.parse([query])
    timings = []
    for i in range(n_single):
        query = queries[i % len(queries)]
        started = time.perf_counter()
        tagger.parse([query])
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    batches = [[queries[(b * batch_size + i) % len(queries)] for i in range(batch_size)] for b in range(n_batches)]
    tagger.parse(batches[0])
    started = time.perf_counter()
    for batch in batches:
        tagger.parse(batch)
    elapsed = time.perf_counter() - started
    return LatencyReport(
        p50_ms=round(_percentile(timings, 0.50), 3),
        p99_ms=round(_percentile(timings, 0.99), 3),
        mean_ms=round(statistics.fmean(timings), 3),
        throughput_qps=round(n_batches * batch_size / elapsed, 1),
        n_single=n_single,
        batch_size=batch_size,
    )


def greedy_batches(queries: Sequence[str], max_size: int, max_chars: float) -> list[list[str]]:
    """``queries`` cut in order into batches the way the service's batcher takes them: add
    queries while the batch stays within ``max_size`` queries and ``max_chars`` characters
    (the first query of a batch always goes in)."""
    batches: list[list[str]] = []
    batch: list[str] = []
    chars = 0
    for query in queries:
        if batch and (len(batch) + 1 > max_size or chars + len(query) > max_chars):
            batches.append(batch)
            batch, chars = [], 0
        batch.append(query)
        chars += len(query)
    if batch:
        batches.append(batch)
    return batches


def batched_throughput(tagger: Tagger, queries: Sequence[str], max_size: int, max_chars: float) -> float:
    """Queries/s of ``tagger.parse`` over ``queries`` cut by :func:`greedy_batches` (one pass
    after a warm-up batch): what a saturated batcher with these caps would reach."""
    batches = greedy_batches(queries, max_size, max_chars)
    tagger.parse(batches[0])
    started = time.perf_counter()
    for batch in batches:
        tagger.parse(batch)
    return len(queries) / (time.perf_counter() - started)
