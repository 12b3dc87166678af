"""Training examples -> padded, label-aligned batches in a seeded, reproducible order.

Examples may be dicts (a JSONL row) or objects with ``tokens`` and ``tags`` attributes, so the
training asset can hand over whatever its split step produced. Batches are padded to their own
longest row (dynamic padding: about a third faster than fixed padding on short queries, per
shared/STACK.md) by the same :class:`~query_understanding.transformer.alignment.WordEncoder`
that inference uses.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from query_understanding.bio import validate_bio
from query_understanding.schema import LABEL2ID
from query_understanding.transformer.alignment import EncodedBatch, WordEncoder


def tokens_and_tags(example: Any) -> tuple[list[str], list[str]]:
    """``(tokens, tags)`` of a dict or an object with those attributes."""
    if isinstance(example, dict):
        return list(example["tokens"]), list(example["tags"])
    return list(example.tokens), list(example.tags)


def label_set(examples: Sequence[Any]) -> tuple[str, ...]:
    """``O`` then ``B-``/``I-`` of every type the examples' tags use, types sorted: the label
    ids of a model trained on finer source types than the project's."""
    types = sorted({tag[2:] for e in examples for tag in tokens_and_tags(e)[1] if tag != "O"})
    return ("O",) + tuple(f"{p}-{t}" for t in types for p in ("B", "I"))


def prepare_examples(examples: Sequence[Any], label2id: dict[str, int] = LABEL2ID) -> list[tuple[list[str], list[int]]]:
    """Validated ``(tokens, label ids)`` pairs; bad gold data fails here, naming the row."""
    prepared = []
    entity_types = {label[2:] for label in label2id if label != "O"}
    for index, example in enumerate(examples):
        tokens, tags = tokens_and_tags(example)
        try:
            validate_bio(tags, tokens, entity_types)
        except ValueError as exc:
            raise ValueError(f"example {index} ({tokens!r}): {exc}") from exc
        prepared.append((tokens, [label2id[t] for t in tags]))
    return prepared


def batch_order(n: int, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
    """Index batches of a permutation that depends only on ``(seed, epoch)``: reruns match."""
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def iter_batches(
    encoder: WordEncoder,
    prepared: Sequence[tuple[list[str], list[int]]],
    batch_size: int,
    seed: int,
    epoch: int,
) -> Iterator[EncodedBatch]:
    """Encoded, label-aligned batches of one epoch in the seeded order."""
    for indices in batch_order(len(prepared), batch_size, seed, epoch):
        rows = [prepared[i] for i in indices]
        yield encoder.encode([r[0] for r in rows], [r[1] for r in rows])
