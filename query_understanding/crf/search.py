"""Small grid search over the CRF's L1/L2 regularization, scored by dev entity F1.

c1/c2 are the only CRF hyper-parameters that matter much on query-length inputs; a handful of
points picked on dev micro F1 is enough and keeps training cheap. Dev is only scored, never
trained on.
"""

from __future__ import annotations

import itertools
from typing import Iterable, Sequence

from query_understanding.crf.tagger import CRFConfig, train_crf
from query_understanding.evaluation.metrics import entity_metrics
from query_understanding.example import Example
from query_understanding.gazetteer import Gazetteer

#: Default (c1, c2) points: light/medium/heavy L1 crossed with light/medium L2.
DEFAULT_GRID: tuple[tuple[float, float], ...] = tuple(itertools.product((0.01, 0.1, 0.5), (0.01, 0.1)))


def search_c1_c2(
    train: Sequence[Example],
    dev: Sequence[Example],
    grid: Iterable[tuple[float, float]] = DEFAULT_GRID,
    base_config: CRFConfig = CRFConfig(),  # noqa: B008  (frozen: one shared default is safe)
    gazetteer: Gazetteer | None = None,
) -> tuple[CRFConfig, list[dict]]:
    """Train one CRF per ``(c1, c2)`` and return the config with the best dev micro F1
    (ties: earlier grid point) and one table row per point (c1, c2, f1/precision/recall,
    train seconds)."""
    best: tuple[float, CRFConfig] | None = None
    table: list[dict] = []
    for c1, c2 in grid:
        config = base_config.replace(c1=c1, c2=c2)
        tagger = train_crf(train, config, gazetteer)
        predictions = tagger.predict_tags([e.tokens for e in dev])
        micro = entity_metrics([e.tags for e in dev], predictions).micro
        table.append(
            {
                "c1": c1,
                "c2": c2,
                "f1_micro": micro.f1,
                "precision_micro": micro.precision,
                "recall_micro": micro.recall,
                "train_seconds": tagger.train_seconds,
            }
        )
        if best is None or micro.f1 > best[0]:
            best = (micro.f1, config)
    if best is None:
        raise ValueError("empty grid")
    return best[1], table
