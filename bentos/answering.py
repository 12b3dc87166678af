"""Finishing /parse answers where the model ran: merge with the cache, log, in one thread hop.

Why: a request used to leave the event loop twice, once to tag (the batcher's thread) and once
to append its prediction-log rows; each hop costs 0.1-0.16 ms and the loop's time to schedule
it, and every request paid its own fsync unless another happened to overlap. Now the thread that
tagged a batch also merges each request's answers with its head-cache hits and appends the
rows of the whole batch in one write (:meth:`PredictionLog.append`), before any request of the
batch is answered; its fsync follows the answer (:mod:`bentos.background_sync`) unless
``QU_PREDICTION_LOG_SYNC=before``. If that write fails, every request of the batch fails with
the OSError (the service answers 503), and none of their rows is in the log.

:class:`PendingAnswer` travels with a request's items through the batcher (the batcher never
splits a request across batches); its ``results`` are filled in the thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bentos.head_cache import merge_answers
from bentos.prediction_log import PredictionLog


@dataclass(eq=False)
class PendingAnswer:
    """One /parse request on its way: its id, start time and head-cache hits (None: no cache)."""

    request_id: str
    started: float
    cached: list[dict | None] | None
    results: list[dict] = field(default_factory=list)  # filled by finish_answers

    @property
    def model_tag(self) -> str:
        return self.results[0]["model_tag"]


def by_request(items: list[dict[str, Any]], tagged: list[dict]) -> list[tuple[PendingAnswer, list[dict]]]:
    """``tagged`` (one result per item) grouped by the items' ``"request"``, in order."""
    groups: dict[int, tuple[PendingAnswer, list[dict]]] = {}
    for item, result in zip(items, tagged):
        request: PendingAnswer = item["request"]
        groups.setdefault(id(request), (request, []))[1].append(result)
    return list(groups.values())


def finish_answers(answers: list[tuple[PendingAnswer, list[dict]]], log: PredictionLog) -> None:
    """Fill each request's ``results`` (cache hits in place, model results in the gaps) and log
    all their rows in one durable append; raises OSError with none of them logged."""
    rows: list[dict] = []
    for request, tagged in answers:
        request.results = merge_answers(request.cached, tagged)
        latency_ms = (time.perf_counter() - request.started) * 1000
        rows += PredictionLog.make_rows(request.request_id, request.results, request.model_tag, latency_ms)
    log.append(rows)
