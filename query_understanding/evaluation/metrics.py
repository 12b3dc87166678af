"""Strict entity-level precision / recall / F1, per entity type, micro and macro.

An entity counts as correct only if type, start and end all match (CoNLL / seqeval
``mode='strict'``): a predicted span one token short is one false positive *and* one false
negative. Gold tags must be valid BIO; predicted tags are decoded with
:func:`~query_understanding.bio.repair_bio`, the decoding serving uses, so the score measures
the entities a user would get. On valid predictions this equals seqeval's strict IOB2 mode;
on raw predictions with stray ``I-`` tags it equals seqeval's default (lenient) mode.
Written here rather than calling seqeval so counts are exposed and there is no numpy return.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from query_understanding.bio import Span, bio_to_spans, repair_bio
from query_understanding.schema import ENTITY_TYPES


@dataclass(frozen=True, slots=True)
class Counts:
    """Entity counts of one type (or pooled): true/false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(self.tp - other.tp, self.fp - other.fp, self.fn - other.fn)

    @property
    def support(self) -> int:
        """Number of gold entities."""
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.support,
        }


@dataclass(frozen=True, slots=True)
class EntityMetrics:
    """Per-type counts plus micro (pooled counts) and macro (mean of per-type scores) averages.

    ``per_type`` always lists this project's entity types (zeros when absent) so reports and
    plots have stable keys. Macro averages run over the types that occur in gold *or*
    predictions, as seqeval does, so a type absent from a slice does not drag macro F1 to 0.
    """

    per_type: dict[str, Counts] = field(default_factory=dict)
    n_sequences: int = 0

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.per_type.values():
            total = total + counts
        return total

    def _macro_types(self) -> list[str]:
        return [t for t, c in self.per_type.items() if c.support or c.predicted]

    def _macro(self, attr: str) -> float:
        types = self._macro_types()
        return sum(getattr(self.per_type[t], attr) for t in types) / len(types) if types else 0.0

    @property
    def macro_precision(self) -> float:
        return self._macro("precision")

    @property
    def macro_recall(self) -> float:
        return self._macro("recall")

    @property
    def macro_f1(self) -> float:
        return self._macro("f1")

    def to_dict(self) -> dict:
        return {
            "n_sequences": self.n_sequences,
            "micro": self.micro.to_dict(),
            "macro": {
                "precision": self.macro_precision,
                "recall": self.macro_recall,
                "f1": self.macro_f1,
            },
            "per_type": {t: c.to_dict() for t, c in self.per_type.items()},
        }


def span_counts(gold: Iterable[Span], pred: Iterable[Span]) -> dict[str, Counts]:
    """Per-type counts for one sequence's gold and predicted spans (exact matches only)."""
    gold_set, pred_set = Counter(gold), Counter(pred)
    out: dict[str, Counts] = {}
    for span in set(gold_set) | set(pred_set):
        tp = min(gold_set[span], pred_set[span])
        counts = Counts(tp, pred_set[span] - tp, gold_set[span] - tp)
        out[span.type] = out.get(span.type, Counts()) + counts
    return out


def sequence_counts(gold_tags: Sequence[str], pred_tags: Sequence[str]) -> dict[str, Counts]:
    """Per-type counts for one sequence; gold must be valid BIO, predictions are repaired."""
    if len(gold_tags) != len(pred_tags):
        raise ValueError(f"{len(gold_tags)} gold tags but {len(pred_tags)} predicted tags")
    return span_counts(bio_to_spans(gold_tags), bio_to_spans(repair_bio(pred_tags)))


def entity_metrics(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> EntityMetrics:
    """Strict entity-level metrics of predicted tag sequences against gold tag sequences."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sequences but {len(pred)} predicted sequences")
    per_type = {t: Counts() for t in ENTITY_TYPES}
    for i, (g, p) in enumerate(zip(gold, pred)):
        try:
            counts = sequence_counts(g, p)
        except ValueError as exc:
            raise type(exc)(f"sequence {i}: {exc}") from exc
        for entity_type, c in counts.items():
            per_type[entity_type] = per_type.get(entity_type, Counts()) + c
    return EntityMetrics(per_type, len(gold))
