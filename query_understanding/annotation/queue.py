"""Ranking served queries for annotation: uncertain first, frequent first, each text once.

A label is worth most where the model is least sure and shoppers ask most. A logged
prediction's *doubt* is its ``uncertainty``, the expected number of wrongly tagged tokens
(:attr:`query_understanding.schema.ParsedQuery.uncertainty`, logged by the service): it counts
the doubtful ``O`` tokens too, the entities the model may have missed. On QueryNER it picked
better rows than random, where the least confident entity alone picked worse
(docs/active_learning.md). A row logged without it (an older log, a model without confidences)
falls back to ``1 - confidence``, the confidence being its least confident entity's score, or
``no_entity_confidence`` when it has no entity (the model saw nothing, which for a product
query is itself doubtful); the two scales differ, so a log mixing both ranks the older rows
roughly, not exactly.

Predictions are grouped by normalized text (:func:`query_understanding.text.normalize_query`,
the form the splits hash), the group's doubt is its mean, and the priority is
``doubt * (1 + ln(frequency))``: a query asked 20 times outranks one asked once at equal doubt,
but frequency cannot drown out certainty. Texts already annotated are left out. Ties break by
text, so the queue is deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from query_understanding.text import normalize_query


@dataclass(frozen=True)
class QueueItem:
    """One query to annotate, with the latest prediction as the pre-annotation."""

    query: str
    query_norm: str
    frequency: int
    confidence: float
    uncertainty: float | None
    priority: float
    model_tag: str | None
    entities: list[dict] = field(default_factory=list)


def prediction_confidence(entities: Iterable[Mapping], no_entity_confidence: float) -> float:
    """The least confident entity's score; ``no_entity_confidence`` when no entity has one."""
    scores = [float(e["score"]) for e in entities if e.get("score") is not None]
    return min(scores) if scores else no_entity_confidence


def logged_uncertainty(prediction: Mapping) -> float | None:
    """The prediction's logged ``uncertainty``; None when absent, null or NaN (a null read by pandas)."""
    value = prediction.get("uncertainty")
    return float(value) if value is not None and value == value else None


def rank_for_annotation(
    predictions: Iterable[Mapping],
    annotated: Iterable[str] = (),
    limit: int = 200,
    no_entity_confidence: float = 0.5,
) -> list[QueueItem]:
    """The ``limit`` most valuable queries to label.

    ``predictions``: mappings with ``query``, ``entities`` (the log's), optional ``uncertainty``,
    ``predicted_at`` (the latest one's entities become the pre-annotation) and ``model_tag``. ``annotated``: query
    texts already labelled (any casing or spacing).
    """
    done = {normalize_query(text) for text in annotated}
    groups: dict[str, list[Mapping]] = {}
    for prediction in predictions:
        norm = normalize_query(prediction["query"])
        if norm and norm not in done:
            groups.setdefault(norm, []).append(prediction)
    items = []
    for norm, group in groups.items():
        confidences = [prediction_confidence(list(p.get("entities") or []), no_entity_confidence) for p in group]
        confidence = sum(confidences) / len(confidences)
        uncertainties = [logged_uncertainty(p) for p in group]
        # doubt: the logged uncertainty, else (an older row) 1 - the least confident entity's score
        doubts = [1.0 - c if u is None else u for c, u in zip(confidences, uncertainties)]
        doubt = sum(doubts) / len(doubts)
        logged = [u for u in uncertainties if u is not None]
        latest = max(group, key=lambda p: str(p.get("predicted_at") or ""))
        items.append(
            QueueItem(
                query=str(latest["query"]),
                query_norm=norm,
                frequency=len(group),
                confidence=round(confidence, 4),
                uncertainty=round(sum(logged) / len(logged), 4) if logged else None,
                priority=round(doubt * (1.0 + math.log(len(group))), 6),
                model_tag=latest.get("model_tag"),
                entities=[dict(e) for e in latest.get("entities") or []],
            )
        )
    items.sort(key=lambda item: (-item.priority, -item.frequency, item.query_norm))
    return items[:limit]
