"""The experiment results (``scripts/experiment.py``) as a page: the ablation table and a chart.

Reads ``experiments.experiment_results`` and trains nothing, so it is cheap in the main job; an
empty table (no experiment run yet) gives a page that says so.
"""

import dagster as dg

from pipeline.experiment_report import experiment_chart
from pipeline.experiments import RELATION, read_results
from query_understanding.experiments.results import aggregate, report_markdown
from resources import Warehouse


@dg.asset(group_name="comparison", kinds={"duckdb"})
def experiment_report(warehouse: Warehouse) -> dg.MaterializeResult:
    """Mean ± sd per variant over seeds on QueryNER dev, and each variant's delta vs ``default``."""
    rows = read_results(warehouse)
    if not rows:
        return dg.MaterializeResult(metadata={"runs": 0, "table": dg.MetadataValue.md(f"no rows in {RELATION} yet")})
    records = aggregate(rows)
    metadata: dict = {
        "runs": len(rows),
        "table": dg.MetadataValue.md(report_markdown(rows)),
        "chart": dg.MetadataValue.md(experiment_chart(records)),
    }
    for record in records:
        prefix = f"{record['model_kind']}/{record['variant']}"
        metadata[f"{prefix}/micro_f1"] = float(record["micro_f1"][0])
    return dg.MaterializeResult(metadata=metadata)
