"""A model's scores as one structured record, and the flat keys rendered from it.

The manifest of every model artifact holds ``{"evaluation": {set: summary}, "train_seconds",
"train_examples"}``, where a summary (:func:`summarize`) keeps micro / macro / per-type
figures, slices and behavioral failure rates as nested dicts. Consumers read the structure
(:func:`slice_f1`, :func:`set_value`); only :func:`metric_keys` renders it flat, into the
``gold_f1_micro``-style names that Dagster plots, the champion rule ranks by and the registry
tables show. Nothing parses a flat key back.
"""

from __future__ import annotations

from typing import Any, Mapping

from query_understanding.evaluation.report import EvaluationReport

#: Evaluation sets in the order a consumer prefers them: human gold first, then synthetic test.
PREFERRED_SETS = ("gold", "test")
#: What :func:`metric_keys` renders per set: micro / macro and per-type figures.
_AVERAGES = ("precision", "recall", "f1")


def summarize(report: EvaluationReport) -> dict[str, Any]:
    """The JSON-ready summary of one evaluation set (no examples: manifests stay small)."""
    overall = report.overall
    micro = overall.micro
    return {
        "n_examples": report.n_examples,
        "micro": {"precision": micro.precision, "recall": micro.recall, "f1": micro.f1},
        "macro": {"precision": overall.macro_precision, "recall": overall.macro_recall, "f1": overall.macro_f1},
        "per_type": {
            t: {"precision": c.precision, "recall": c.recall, "f1": c.f1, "support": c.support}
            for t, c in overall.per_type.items()
        },
        "slices": {
            name: {
                "n": s.n,
                "precision": s.metrics.micro.precision,
                "recall": s.metrics.micro.recall,
                "f1": s.metrics.micro.f1,
            }
            for name, s in report.slices.items()
        },
        "behavioral": {b.name: {"n": b.n, "failure_rate": b.failure_rate} for b in report.behavioral},
    }


def model_metrics(
    reports: Mapping[str, EvaluationReport], train_seconds: float | None = None, train_examples: int | None = None
) -> dict[str, Any]:
    """The ``metrics`` record of a manifest: every set's summary plus the training facts."""
    record: dict[str, Any] = {"evaluation": {name: summarize(report) for name, report in reports.items()}}
    if train_seconds is not None:
        record["train_seconds"] = round(float(train_seconds), 3)
    if train_examples is not None:
        record["train_examples"] = int(train_examples)
    return record


def evaluation_sets(metrics: Mapping[str, Any]) -> dict[str, dict]:
    """``{set name: summary}`` of a metrics record (empty for a record without evaluation)."""
    return dict(metrics.get("evaluation") or {})


def metric_keys(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Flat headline numbers: ``<set>_f1_micro``, ``<set>_f1_macro``, ``<set>_recall_BRAND``,
    ... plus ``train_seconds`` / ``train_examples``. The one place flat names are made.

    A manifest written before the structured record (wave 1) already holds flat numbers under
    these names; they pass through as they are, so an old champion is still compared fairly.
    """
    if "evaluation" not in metrics:
        return {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    out: dict[str, float] = {}
    for name, summary in evaluation_sets(metrics).items():
        for average in ("micro", "macro"):
            for measure in _AVERAGES:
                out[f"{name}_{measure}_{average}"] = float(summary[average][measure])
        for entity_type, figures in summary["per_type"].items():
            for measure in _AVERAGES:
                out[f"{name}_{measure}_{entity_type}"] = float(figures[measure])
    for key in ("train_seconds", "train_examples"):
        if metrics.get(key) is not None:
            out[key] = float(metrics[key])
    return out


def preferred_set(metrics: Mapping[str, Any]) -> str | None:
    """The evaluation set a decision should look at: gold when measured, else test."""
    sets = evaluation_sets(metrics)
    return next((name for name in PREFERRED_SETS if name in sets), None)


def slice_f1(metrics: Mapping[str, Any], min_support: int = 0) -> dict[str, float]:
    """Slice micro F1 of the preferred set, for slices with at least ``min_support`` examples."""
    name = preferred_set(metrics)
    if name is None:
        return {}
    slices = evaluation_sets(metrics)[name]["slices"]
    return {s: float(v["f1"]) for s, v in slices.items() if v["n"] >= min_support}


def set_value(metrics: Mapping[str, Any], set_name: str, *path: str) -> float | None:
    """One number of a set's summary, e.g. ``set_value(m, "test", "slices", "typo", "f1")``;
    None when the set or any step of the path is absent."""
    node: Any = evaluation_sets(metrics).get(set_name)
    for step in path:
        if not isinstance(node, Mapping) or step not in node:
            return None
        node = node[step]
    return None if node is None else float(node)
