"""One call that evaluates a tagger the way every model in this project is judged.

``evaluate_tagger`` runs the tagger once over gold examples and collects overall and per-type
strict entity metrics, per-slice metrics, behavioral tests and the worst errors. The report
renders as a nested dict (for JSON), a summary record for manifests
(:mod:`~query_understanding.evaluation.scores`) and markdown tables (for humans), so CLI,
pipeline and notebooks show the same numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from query_understanding.bio import format_tagged
from query_understanding.evaluation.behavioral import BehavioralResult, run_behavioral
from query_understanding.evaluation.metrics import EntityMetrics, entity_metrics, sequence_counts
from query_understanding.evaluation.slices import SliceResult, slice_metrics
from query_understanding.example import Example
from query_understanding.markdown import markdown_table
from query_understanding.tagger import Tagger


@dataclass(slots=True)
class EvaluationReport:
    """Everything ``evaluate_tagger`` measured; :func:`~query_understanding.evaluation.scores.summarize` records it."""

    overall: EntityMetrics
    slices: dict[str, SliceResult] = field(default_factory=dict)
    behavioral: list[BehavioralResult] = field(default_factory=list)
    worst_errors: list[dict] = field(default_factory=list)
    n_examples: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "n_examples": self.n_examples,
            "seconds": self.seconds,
            "overall": self.overall.to_dict(),
            "slices": {name: s.to_dict() for name, s in self.slices.items()},
            "behavioral": [b.to_dict() for b in self.behavioral],
            "worst_errors": list(self.worst_errors),
        }

    def to_markdown(self) -> str:
        """Per-type, per-slice, behavioral and worst-error tables."""
        parts = ["## Per type", per_type_table(self.overall), "", "## Per slice"]
        parts += [slice_table(self.slices), ""]
        if self.behavioral:
            parts += ["## Behavioral tests", behavioral_table(self.behavioral), ""]
        if self.worst_errors:
            parts += ["## Worst errors", worst_errors_table(self.worst_errors), ""]
        return "\n".join(parts)


def per_type_table(metrics: EntityMetrics) -> str:
    rows = [
        (t, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", c.tp, c.fp, c.fn, c.support)
        for t, c in metrics.per_type.items()
    ]
    m = metrics.micro
    rows.append(("micro", f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}", m.tp, m.fp, m.fn, m.support))
    rows.append(
        (
            "macro",
            f"{metrics.macro_precision:.3f}",
            f"{metrics.macro_recall:.3f}",
            f"{metrics.macro_f1:.3f}",
            "",
            "",
            "",
            m.support,
        )
    )
    return markdown_table(("type", "precision", "recall", "f1", "tp", "fp", "fn", "support"), rows)


def slice_table(slices: dict[str, SliceResult]) -> str:
    rows = []
    for name, s in slices.items():
        m = s.metrics.micro
        rows.append((name, s.n, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}", f"{s.metrics.macro_f1:.3f}"))
    return markdown_table(("slice", "n", "precision", "recall", "f1 micro", "f1 macro"), rows)


def behavioral_table(results: Sequence[BehavioralResult]) -> str:
    rows = [(b.name, b.n, b.n_failed, f"{b.failure_rate:.3f}") for b in results]
    return markdown_table(("test", "n", "failed", "failure rate"), rows)


def worst_errors_table(errors: Sequence[dict]) -> str:
    rows = [(e["query"], e["errors"], e["gold"], e["predicted"]) for e in errors]
    return markdown_table(("query", "errors", "gold", "predicted"), rows)


def worst_errors(examples: Sequence[Example], predictions: Sequence[Sequence[str]], n: int = 20) -> list[dict]:
    """The ``n`` examples with the most entity errors (fp + fn), ties in data order."""
    scored = []
    for i, (example, tags) in enumerate(zip(examples, predictions)):
        counts = sequence_counts(example.tags, tags).values()
        errors = sum(c.fp + c.fn for c in counts)
        if errors:
            scored.append((-errors, i))
    out = []
    for neg_errors, i in sorted(scored)[:n]:
        example = examples[i]
        out.append(
            {
                "id": example.id,
                "query": example.text,
                "errors": -neg_errors,
                "gold": format_tagged(example.tokens, example.tags),
                "predicted": format_tagged(example.tokens, predictions[i]),
            }
        )
    return out


def evaluate_tagger(
    tagger: Tagger,
    examples: Sequence[Example],
    *,
    train_brands: Iterable[str] | None = None,
    unseen_brands: Sequence[str] | None = None,
    behavioral: bool = True,
    n_worst: int = 20,
    batch_size: int = 256,
) -> EvaluationReport:
    """Evaluate ``tagger`` on gold ``examples``.

    ``train_brands`` lets the seen/unseen brand slices be computed for examples without a
    ``has_unseen_brand`` flag; ``unseen_brands`` enables the brand-swap behavioral test.
    Predictions are made in batches of ``batch_size`` token lists.
    """
    examples = list(examples)
    started = time.perf_counter()
    predictions: list[list[str]] = []
    for i in range(0, len(examples), batch_size):
        predictions += tagger.predict_tags([e.tokens for e in examples[i : i + batch_size]])
    overall = entity_metrics([e.tags for e in examples], predictions)
    report = EvaluationReport(
        overall=overall,
        slices=slice_metrics(examples, predictions, train_brands),
        behavioral=run_behavioral(tagger, examples, unseen_brands) if behavioral else [],
        worst_errors=worst_errors(examples, predictions, n_worst),
        n_examples=len(examples),
    )
    report.seconds = round(time.perf_counter() - started, 3)
    return report
