"""Rendering the model comparison for the Dagster UI: a markdown table and a bar chart.

Kept apart from the asset so the asset module reads as the comparison's logic, and so the
chart (matplotlib, headless) can be produced from any list of rows, e.g. in a notebook.
"""

from __future__ import annotations

import base64
import io

from query_understanding.markdown import markdown_table

COLUMNS = (
    ("candidate", "candidate"),
    ("tag", "tag"),
    ("gold F1", "gold_f1_micro"),
    ("test F1", "test_f1_micro"),
    ("BRAND", "gold_f1_BRAND"),
    ("COLOR", "gold_f1_COLOR"),
    ("TYPE", "gold_f1_TYPE"),
    ("unseen brand", "test_unseen_brand_f1"),
    ("typo", "test_typo_f1"),
    ("p50 ms", "latency_p50_ms"),
    ("p99 ms", "latency_p99_ms"),
    ("q/s @64", "throughput_qps"),
    ("MB", "size_mb"),
    ("train s", "train_seconds"),
    ("verdict", "verdict"),
)


def comparison_table(rows: list[dict]) -> str:
    """One row per candidate (and the current champion), the columns above."""
    return markdown_table([h for h, _ in COLUMNS], [[row.get(key) for _, key in COLUMNS] for row in rows])


def comparison_chart(rows: list[dict]) -> str:
    """F1 (gold, else test) and p99 latency per candidate as a PNG, inline as markdown."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f"![model comparison](data:image/png;base64,{encoded})"
