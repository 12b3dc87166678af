"""Blending the CRF's marginals with the transformer's word probabilities (issue 10, a probe).

Why: the two taggers err differently (the CRF has the catalog gazetteer and word clusters, the
transformer context), so a weighted average of their per-word label probabilities, decoded
with the same BIO Viterbi as the transformer, can beat both. Measured on QueryNER dev with
``scripts/blend_probe.py`` (docs/experiments.md); not yet a servable model kind: a blend runs
both taggers on every query, so it costs the transformer's latency plus the CRF's.

``weight`` is the transformer's share: 1.0 is the transformer alone (Viterbi over its
probabilities), 0.0 the CRF's marginals alone.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from query_understanding.evaluation.metrics import Counts, entity_metrics
from query_understanding.schema import LABELS
from query_understanding.transformer.decoding import viterbi


def blend_tags(crf_probs: np.ndarray, transformer_probs: np.ndarray, weight: float) -> list[str]:
    """BIO tags of one query from ``weight`` x transformer + (1 - weight) x CRF probabilities."""
    if crf_probs.shape != transformer_probs.shape:
        raise ValueError(f"probabilities of different shapes: {crf_probs.shape} vs {transformer_probs.shape}")
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    mixed = weight * transformer_probs + (1.0 - weight) * crf_probs
    return [LABELS[int(i)] for i in viterbi(mixed)]


def blend_counts(
    gold: Sequence[Sequence[str]],
    crf_probs: Sequence[np.ndarray],
    transformer_probs: Sequence[np.ndarray],
    weight: float,
) -> Counts:
    """Entity-level micro counts of the blend at ``weight`` against ``gold`` tags."""
    pred = [blend_tags(c, t, weight) for c, t in zip(crf_probs, transformer_probs)]
    return entity_metrics(gold, pred).micro


def best_weight(
    gold: Sequence[Sequence[str]],
    crf_probs: Sequence[np.ndarray],
    transformer_probs: Sequence[np.ndarray],
    weights: Sequence[float],
) -> tuple[float, float]:
    """``(weight, micro F1)`` of the best weight on these rows (ties: the larger weight, the
    transformer's side)."""
    scored = [(blend_counts(gold, crf_probs, transformer_probs, w).f1, w) for w in weights]
    f1, weight = max(scored)
    return weight, f1
