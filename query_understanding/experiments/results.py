"""One results row per (variant, seed), and the mean ± sd report over seeds.

The row is flat (one column per figure) so the warehouse table ``experiment_results`` can be
queried and plotted directly; the figures come from the project's evaluation summary
(:func:`~query_understanding.evaluation.scores.summarize`), never from a second scorer.
"""

from __future__ import annotations

import json
import statistics
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Sequence

from query_understanding.markdown import markdown_table
from query_understanding.schema import ENTITY_TYPES

MEASURES = ("precision", "recall", "f1")
BEHAVIORAL = ("inv_uppercase", "inv_filler_cheap", "inv_filler_for_men", "brand_swap_unseen")
#: Every column of ``experiment_results``, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "variant",
    "model_kind",
    "config",
    "seed",
    *(f"{m}_{t}" for t in ENTITY_TYPES for m in MEASURES),
    "micro_precision",
    "micro_recall",
    "micro_f1",
    "macro_f1",
    *(f"fail_{b}" for b in BEHAVIORAL),
    "slices",
    "n_train",
    "best_epoch",
    "train_seconds",
    "created_at",
    "code_version",
)
#: SQL type of each column: declared, so a first batch with an all-null column (CRF rows have
#: no best epoch) cannot fix that column's type to NULL for every later row.
COLUMN_TYPES: dict[str, str] = {
    column: (
        "VARCHAR"
        if column in ("variant", "model_kind", "config", "slices", "code_version")
        else "BIGINT"
        if column in ("seed", "n_train", "best_epoch")
        else "TIMESTAMP"
        if column == "created_at"
        else "DOUBLE"
    )
    for column in RESULT_COLUMNS
}
#: Figures the report averages over seeds: micro, then per type, then the filler failure rate.
REPORTED = ("micro_f1", *(f"f1_{t}" for t in ENTITY_TYPES), "fail_inv_filler_cheap", "train_seconds")


def result_row(
    variant: str,
    model_kind: str,
    config: Mapping[str, Any],
    seed: int,
    summary: Mapping[str, Any],
    *,
    n_train: int,
    train_seconds: float,
    code_version: str,
    best_epoch: int | None = None,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """The table row of one trained model from its evaluation ``summary`` on gold dev."""
    row: dict[str, Any] = {
        "variant": variant,
        "model_kind": model_kind,
        "config": json.dumps(dict(config), sort_keys=True, default=str),
        "seed": int(seed),
    }
    for entity_type in ENTITY_TYPES:
        figures = summary["per_type"].get(entity_type, {})
        for measure in MEASURES:
            row[f"{measure}_{entity_type}"] = float(figures.get(measure, 0.0))
    for measure in MEASURES:
        row[f"micro_{measure}"] = float(summary["micro"][measure])
    row["macro_f1"] = float(summary["macro"]["f1"])
    behavioral = summary.get("behavioral", {})
    for name in BEHAVIORAL:
        row[f"fail_{name}"] = float(behavioral[name]["failure_rate"]) if name in behavioral else None
    row["slices"] = json.dumps({k: round(v["f1"], 4) for k, v in summary.get("slices", {}).items()}, sort_keys=True)
    row.update(
        n_train=int(n_train),
        best_epoch=best_epoch,
        train_seconds=round(float(train_seconds), 2),
        created_at=(created_at or datetime.now(timezone.utc)).replace(tzinfo=None),
        code_version=code_version,
    )
    missing = set(RESULT_COLUMNS) - set(row)
    assert not missing, missing  # the schema and the builder are one definition
    return {column: row[column] for column in RESULT_COLUMNS}


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0.0 for a single value)."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("no values")
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def aggregate(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] = REPORTED) -> list[dict[str, Any]]:
    """Per (model kind, variant): seeds, and mean / sd of each column, in first-seen order."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["model_kind"], row["variant"]), []).append(row)
    out = []
    for (kind, variant), members in groups.items():
        record: dict[str, Any] = {"model_kind": kind, "variant": variant, "seeds": sorted({m["seed"] for m in members})}
        for column in columns:
            values = [m[column] for m in members if m.get(column) is not None]
            record[column] = mean_sd(values) if values else None
        out.append(record)
    return out


def _fmt(value: tuple[float, float] | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value[0]:.{digits}f} ± {value[1]:.{digits}f}"


def report_markdown(rows: Iterable[Mapping[str, Any]], baseline: str = "default") -> str:
    """Mean ± sd per variant and each mean's delta against the ``baseline`` variant of its kind."""
    records = aggregate(rows)
    base = {r["model_kind"]: r for r in records if r["variant"] == baseline}
    header = ["kind", "variant", "seeds", "micro F1", "Δ micro", *(f"{t} F1" for t in ENTITY_TYPES)]
    header += ["Δ " + t for t in ENTITY_TYPES] + ["'cheap' fail", "train s"]
    table = []
    for r in sorted(records, key=lambda r: (r["model_kind"], r["variant"] != baseline, r["variant"])):
        reference = base.get(r["model_kind"])

        def delta(column: str, r: Mapping = r, reference: Mapping | None = reference) -> str:
            if reference is None or r[column] is None or reference[column] is None:
                return "–"
            return f"{r[column][0] - reference[column][0]:+.3f}"

        table.append(
            [r["model_kind"], r["variant"], len(r["seeds"]), _fmt(r["micro_f1"]), delta("micro_f1")]
            + [_fmt(r[f"f1_{t}"]) for t in ENTITY_TYPES]
            + [delta(f"f1_{t}") for t in ENTITY_TYPES]
            + [_fmt(r["fail_inv_filler_cheap"]), _fmt(r["train_seconds"], 0)]
        )
    return markdown_table(header, table)
