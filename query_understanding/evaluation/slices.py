"""Slice membership per example and metrics per slice.

Overall F1 hides the cases that matter for search: brands the model never saw, typos, odd
casing, multi-word entities, long queries. Each slice is a named boolean predicate over an
:class:`Example`; flags recorded with the data (``has_unseen_brand``, ``has_typo``,
``has_casing_variant``, see docs/data_model.md) win over what can be computed, because the
data pipeline knows things the tokens do not (e.g. that a brand was held out of training).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from query_understanding.evaluation.metrics import EntityMetrics, entity_metrics
from query_understanding.example import Example
from query_understanding.text import normalize_query

#: Query-length buckets in tokens: (name, lowest, highest or None for open-ended).
LENGTH_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-2", 1, 2),
    ("3-4", 3, 4),
    ("5+", 5, None),
)


def length_bucket(n_tokens: int) -> str:
    """Name of the length bucket of a query with ``n_tokens`` tokens ("1-2", "3-4", "5+")."""
    for name, low, high in LENGTH_BUCKETS:
        if n_tokens >= low and (high is None or n_tokens <= high):
            return name
    return "0"


def brand_texts(example: Example) -> list[str]:
    """Normalized text of each gold BRAND entity."""
    return [normalize_query(text) for t, text in example.entity_texts() if t == "BRAND"]


def slice_names(example: Example, train_brands: set[str] | None = None) -> list[str]:
    """Names of the slices ``example`` belongs to.

    * ``brand=seen`` / ``brand=unseen``: examples with a gold BRAND; unseen from the
      ``has_unseen_brand`` flag when present, else any brand text not in ``train_brands``
      (normalized); without either source of truth the example gets neither slice.
    * ``typo`` / ``no_typo``: only when the ``has_typo`` flag is present.
    * ``casing_variant``: the ``has_casing_variant`` flag, else any uppercase character.
    * ``multiword_entity``: some gold entity spans more than one token.
    * ``len=1-2`` / ``len=3-4`` / ``len=5+``: query length in tokens.
    * ``source=<source>``: when the example has a source.
    """
    names: list[str] = []
    brands = brand_texts(example)
    if brands:
        unseen: bool | None = None
        if "has_unseen_brand" in example.flags:
            unseen = bool(example.flags["has_unseen_brand"])
        elif train_brands is not None:
            unseen = any(b not in train_brands for b in brands)
        if unseen is not None:
            names.append("brand=unseen" if unseen else "brand=seen")
    if "has_typo" in example.flags:
        names.append("typo" if example.flags["has_typo"] else "no_typo")
    casing = example.flags.get("has_casing_variant")
    if casing is None:
        casing = any(ch.isupper() for ch in example.text)
    if casing:
        names.append("casing_variant")
    if any(s.end - s.start > 1 for s in example.spans()):
        names.append("multiword_entity")
    names.append(f"len={length_bucket(len(example.tokens))}")
    if example.source:
        names.append(f"source={example.source}")
    return names


def slice_membership(examples: Sequence[Example], train_brands: Iterable[str] | None = None) -> dict[str, list[int]]:
    """Slice name -> indices of member examples, slices in order of first appearance."""
    brands = {normalize_query(b) for b in train_brands} if train_brands is not None else None
    members: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        for name in slice_names(example, brands):
            members.setdefault(name, []).append(i)
    return members


@dataclass(frozen=True, slots=True)
class SliceResult:
    """Metrics of one slice: how many examples it holds and their entity metrics."""

    name: str
    n: int
    metrics: EntityMetrics

    def to_dict(self) -> dict:
        return {"name": self.name, "n": self.n, **self.metrics.to_dict()}


def slice_metrics(
    examples: Sequence[Example],
    predictions: Sequence[Sequence[str]],
    train_brands: Iterable[str] | None = None,
) -> dict[str, SliceResult]:
    """Entity metrics per slice, from gold examples and their predicted tags (same order)."""
    if len(examples) != len(predictions):
        raise ValueError(f"{len(examples)} examples but {len(predictions)} predictions")
    results = {}
    for name, idx in sorted(slice_membership(examples, train_brands).items()):
        metrics = entity_metrics([examples[i].tags for i in idx], [predictions[i] for i in idx])
        results[name] = SliceResult(name, len(idx), metrics)
    return results
