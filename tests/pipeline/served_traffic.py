"""Prediction logs fabricated for monitoring tests, written by the service's own PredictionLog.

``like_training`` replays train_queries as a perfect model would have answered them (entities
from the gold tags, confident, linked), so the served distribution is the training one;
``shifted`` is traffic the model was not trained for: very long queries with no entity found.
Both go through :meth:`bentos.prediction_log.PredictionLog.make_rows` and ``append``, so the
files have the exact layout and fields ``/parse`` writes.
"""

from __future__ import annotations

from pathlib import Path

from bentos.prediction_log import PredictionLog
from query_understanding.bio import entities_from_tags

MODEL_TAG = "qu-crf:crf-monitoringtest"


def write_log(log_dir: Path, queries: list[tuple[str, list[dict]]], day: str, latency_ms: float = 2.0) -> Path:
    """One request per query on ``day`` (``YYYY-MM-DD``), as the service logs them."""
    log = PredictionLog(log_dir, sync="off")
    for i, (query, entities) in enumerate(queries):
        ts = f"{day}T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.000Z"
        result = {"query": query, "entities": entities, "model_tag": MODEL_TAG}
        log.append(PredictionLog.make_rows(f"req-{day}-{i}", [result], MODEL_TAG, latency_ms=latency_ms, ts=ts))
    log.close()
    return log_dir


def like_training(train_rows: list[tuple[list[str], list[str]]], score: float = 0.95) -> list[tuple[str, list[dict]]]:
    """Each training query with its gold entities, scored ``score`` and linked (novel false)."""
    out = []
    for tokens, tags in train_rows:
        query = " ".join(tokens)
        entities = [
            {**e.to_dict(), "link_method": "exact", "link_score": 1.0, "novel": False}
            for e in entities_from_tags(query, list(tags), scores=[score] * len(tokens))
        ]
        out.append((query, entities))
    return out


def shifted(n: int) -> list[tuple[str, list[dict]]]:
    """``n`` very long queries (14 tokens) in which the model found nothing."""
    words = "please show me something nice for my brother who likes hiking in the mountains".split()
    return [(" ".join(words[:13] + [f"v{i}"]), []) for i in range(n)]
