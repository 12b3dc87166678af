"""Rendering the experiment results for the Dagster UI: a bar chart of micro F1 per variant.

Beside :mod:`pipeline.comparison_report` (same headless matplotlib approach); the table itself
is :func:`~query_understanding.experiments.results.report_markdown`, the one the CLI prints.
"""

from __future__ import annotations

import base64
import io


def experiment_chart(records: list[dict]) -> str:
    """Mean gold-dev micro F1 (± sd over seeds) per ``kind/variant`` as an inline PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f"{r['model_kind']}/{r['variant']}" for r in records]
    means = [r["micro_f1"][0] for r in records]
    sds = [r["micro_f1"][1] for r in records]
    fig, axis = plt.subplots(figsize=(8, 0.35 * len(names) + 1.2))
    axis.barh(names, means, xerr=sds, color="#4c72b0", capsize=3)
    axis.set_xlabel("QueryNER dev micro F1 (mean ± sd over seeds)")
    axis.set_xlim(min(means + [0.6]) - 0.05, 1.0)
    axis.invert_yaxis()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return f"![experiments](data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()})"
