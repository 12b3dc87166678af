"""Asset checks on the served traffic: one per metric family of the dbt mart ``monitoring_alerts``.

The mart already judged each metric of the latest logged day against its warn and error
thresholds (dbt var ``monitoring_thresholds``); a check fails with severity WARN or ERROR and a
message naming the metric, so the UI shows which signal moved (volume, entity rates, confidence,
novel share, latency, drift) instead of one opaque red light. Severity never blocks the run:
monitoring informs, the promotion gate decides.
"""

import math

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from assets.dbt_models import query_dataset_models
from pipeline.dataset_metadata import relation_name
from pipeline.monitoring import FAMILIES, verdict
from resources import Warehouse, dbt_project

ALERTS_KEY = get_asset_key_for_model([query_dataset_models], "monitoring_alerts")

DESCRIPTIONS = {
    "volume": "Answered queries on the latest logged day (daily_volume).",
    "entity_rates": "Per-type entity rate of the latest day against train_queries (entity_rate_delta).",
    "confidence": "Mean and 10th-percentile entity confidence of the latest day.",
    "novel_share": "Share of served entities the linker found no catalog entry for.",
    "latency": "Logged server latency p50 / p99 per model tag.",
    "drift": "PSI of token lengths vs train_queries and of confidences vs the first logged day.",
}


def json_safe(row: dict) -> dict:
    """A mart row as JSON metadata: dates as text, NaN as null."""
    return {
        key: None
        if isinstance(value, float) and math.isnan(value)
        else value
        if isinstance(value, float | int | str)
        else str(value)
        for key, value in row.items()
    }


def monitoring_check(family: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=ALERTS_KEY, name=f"monitoring_{family}", description=DESCRIPTIONS[family])
    def check(warehouse: Warehouse) -> dg.AssetCheckResult:
        alerts = warehouse.read_table(relation_name("monitoring_alerts", dbt_project().manifest_path))
        result = verdict(alerts, family)
        return dg.AssetCheckResult(
            passed=result.passed,
            severity=dg.AssetCheckSeverity[result.severity],
            description=result.description,
            metadata={"metrics": dg.MetadataValue.json([json_safe(row) for row in result.rows])},
        )

    return check


monitoring_checks = [monitoring_check(family) for family in FAMILIES]
