"""Rendering the model comparison for the Dagster UI: a compact table with the verdicts, a
details table and a bar chart, each its own metadata entry.

Kept apart from the asset so the asset module reads as the comparison's logic, and so the
chart (matplotlib, headless) can be produced from any list of rows, e.g. in a notebook.
"""

from __future__ import annotations

import dagster as dg

from pipeline.charts import png_markdown, pyplot
from query_understanding.markdown import markdown_table

#: The compact table: what decides (accuracy per type) and the verdict, narrow enough to fit the pane.
SUMMARY_TYPES = ("BRAND", "COLOR", "TYPE")
#: The details table: everything else measured, one row per candidate.
DETAIL_COLUMNS = (
    ("candidate", "candidate"),
    ("tag", "tag"),
    ("gold F1", "gold_f1_micro"),
    ("test F1", "test_f1_micro"),
    ("unseen brand", "test_unseen_brand_f1"),
    ("typo", "test_typo_f1"),
    ("p50 ms", "latency_p50_ms"),
    ("p99 ms", "latency_p99_ms"),
    ("q/s @64", "throughput_qps"),
    ("MB", "size_mb"),
    ("train s", "train_seconds"),
    ("verdict", "verdict"),
)


def summary_set(rows: list[dict]) -> str:
    """``gold`` when any candidate was scored on the gold set, else ``test``."""
    return "gold" if any(row.get("gold_f1_micro") is not None for row in rows) else "test"


def _score(value: object) -> float | None:
    return None if value is None else round(float(value), 3)


def short_verdict(verdict: str) -> str:
    """``eligible``, ``current champion`` or ``refused``: the reasons are in the details table."""
    return verdict if verdict in ("eligible", "current champion") else "refused"


def comparison_summary(rows: list[dict]) -> dg.TableMetadataValue:
    """Candidate, micro F1 and F1 per type (gold set, else test) and the verdict, as a table."""
    scored = summary_set(rows)
    # The verdict second: the pane is narrow, and what a reader looks for first is the decision.
    columns = [
        dg.TableColumn("candidate", "string", description="Model asset (or the current champion)."),
        dg.TableColumn("verdict", "string", description="eligible or refused (why: comparison_details)."),
        dg.TableColumn(f"{scored} F1", "float", description=f"Strict entity micro F1 on the {scored} set."),
        *(dg.TableColumn(t, "float", description=f"{t} F1 on the {scored} set.") for t in SUMMARY_TYPES),
    ]
    records = [
        dg.TableRecord(
            {
                "candidate": row["candidate"],
                "verdict": short_verdict(row.get("verdict") or ""),
                f"{scored} F1": _score(row.get(f"{scored}_f1_micro")),
                **{t: _score(row.get(f"{scored}_f1_{t}")) for t in SUMMARY_TYPES},
            }
        )
        for row in rows
    ]
    return dg.MetadataValue.table(records=records, schema=dg.TableSchema(columns=columns))


def comparison_details(rows: list[dict]) -> str:
    """Tag, both micro F1s, slice F1s, latency, throughput, size and training time, as markdown."""
    return markdown_table([h for h, _ in DETAIL_COLUMNS], [[row.get(key) for _, key in DETAIL_COLUMNS] for row in rows])


def text_bar(value: float, scale: float, width: int = 20) -> str:
    """``value`` as a bar of block characters, ``width`` of them standing for ``scale``."""
    filled = 0 if scale <= 0 else round(width * min(max(value, 0.0), scale) / scale)
    return "█" * filled + "░" * (width - filled)


def comparison_bars(rows: list[dict]) -> str:
    """F1 and p99 latency per candidate as text bars: a markdown table short enough (under the
    UI's 1,000 characters) to show inline, where the PNG chart sits behind "[Show Markdown]"."""
    p99 = {row["candidate"]: row.get("latency_p99_ms") or 0.0 for row in rows}
    slowest = max(p99.values(), default=0.0)
    lines = []
    for row in rows:
        f1 = row.get("gold_f1_micro", row.get("test_f1_micro")) or 0.0
        name = row["candidate"]
        lines.append((name, f"{text_bar(f1, 1.0, 8)} {f1:.3f}", f"{text_bar(p99[name], slowest, 6)} {p99[name]:.1f}"))
    return markdown_table(("candidate", "micro F1", "p99 ms"), lines)


def comparison_chart(rows: list[dict]) -> str:
    """F1 (gold, else test) and p99 latency per candidate as a PNG, inline as markdown."""
    plt = pyplot()

    names = [row["candidate"] for row in rows]
    f1 = [row.get("gold_f1_micro", row.get("test_f1_micro")) or 0.0 for row in rows]
    p99 = [row.get("latency_p99_ms") or 0.0 for row in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.barh(names, f1, color="#4c72b0")
    left.set_xlabel("micro F1 (gold dev, else test)")
    left.set_xlim(0, 1)
    right.barh(names, p99, color="#dd8452")
    right.set_xlabel("single-query p99 latency (ms)")
    right.set_yticks([])
    fig.tight_layout()
    return png_markdown(fig, "model comparison")
