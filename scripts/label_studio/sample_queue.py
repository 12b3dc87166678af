"""A small annotation queue over real queries, built the way the ``annotation_queue`` asset builds one.

The round trip needs tasks whose pre-annotations are a model's guesses and whose true labels are
known, so that a simulated annotator can correct them and the import can be checked against the
truth. QueryNER's train split gives both: a tiny CRF trained on other train rows plays the served
model (its entities, with scores, are the "prediction log"), :func:`rank_for_annotation` and
:func:`to_tasks` turn the log into Label Studio tasks exactly as the pipeline does, and the
queries' gold tags are what the annotator submits. Only the train split is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from query_understanding.annotation.label_studio import to_tasks
from query_understanding.annotation.queue import rank_for_annotation
from query_understanding.crf.tagger import CRFConfig, train_crf
from query_understanding.gold import read_gold
from query_understanding.text import normalize_query

MODEL_TAG = "qu-crf:roundtrip-tiny"


@dataclass(frozen=True)
class SampleQueue:
    tasks: list[dict]
    gold_rows: list[dict]  # the picked train rows, {"id", "tokens", "tags"}

    @property
    def gold(self) -> dict[str, list[str]]:
        """Query text -> gold BIO tags."""
        return {" ".join(row["tokens"]): row["tags"] for row in self.gold_rows}


def sample_queue(gold_path: Path, n_queries: int = 40, n_train: int = 300) -> SampleQueue:
    """``n_queries`` distinct train queries as Label Studio tasks, pre-annotated by a CRF trained on
    the next ``n_train`` train rows (deterministic: file order, no sampling)."""
    examples = [e for e in read_gold(gold_path) if e.tokens]
    picked, seen = [], set()
    for example in examples:
        norm = normalize_query(" ".join(example.tokens))
        if norm not in seen:
            seen.add(norm)
            picked.append(example)
        if len(picked) == n_queries:
            break
    held = {id(e) for e in picked}
    rest = [e for e in examples if id(e) not in held and normalize_query(" ".join(e.tokens)) not in seen]
    tagger = train_crf(rest[:n_train], CRFConfig(max_iterations=30))
    queries = [" ".join(e.tokens) for e in picked]
    log = [
        {
            "query": parsed.query,
            "entities": [
                {"type": e.type, "text": e.text, "start": e.start, "end": e.end, "score": e.score}
                for e in parsed.entities
            ],
            "predicted_at": "2026-12-01T00:00:00Z",
            "model_tag": MODEL_TAG,
        }
        for parsed in tagger.parse(queries)
    ]
    queue = rank_for_annotation(log, limit=n_queries)
    gold_rows = [{"id": e.id, "tokens": list(e.tokens), "tags": list(e.tags)} for e in picked]
    return SampleQueue(to_tasks(queue), gold_rows)
