"""The served traffic of the last weeks in the UI: ``monitoring_report`` (table + chart).

The monitoring marts are dbt tables; this asset reads them after each refresh (the
prediction-log sensor materializes it with them) and shows the last weeks as a markdown table
and a PNG chart, with the latest day's headline numbers as metadata, which the UI also plots
across materializations.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from assets.dbt_models import query_dataset_models
from pipeline.dataset_metadata import relation_name
from pipeline.monitoring_report import WINDOW_DAYS, daily_table, last_days, monitoring_chart
from pipeline.ui import OWNERS
from resources import Warehouse, dbt_project


@dg.asset(
    deps=[
        get_asset_key_for_model([query_dataset_models], "monitoring_daily"),
        get_asset_key_for_model([query_dataset_models], "monitoring_latency"),
    ],
    group_name="monitoring",
    kinds={"python"},
    owners=OWNERS,
)
def monitoring_report(warehouse: Warehouse) -> dg.MaterializeResult:
    """Daily volume, entity rates, confidence and latency of the last weeks, as a table and a chart."""
    manifest = dbt_project().manifest_path
    daily = last_days(warehouse.read_table(relation_name("monitoring_daily", manifest)))
    latency = last_days(warehouse.read_table(relation_name("monitoring_latency", manifest)))
    if daily.empty:
        return dg.MaterializeResult(metadata={"days": 0, "note": "no prediction log yet: nothing to show"})
    latest = daily.iloc[-1]
    return dg.MaterializeResult(
        metadata={
            "days": len(daily),
            "window_days": WINDOW_DAYS,
            "latest_day": latest["predicted_day"].date().isoformat(),
            "latest_queries": int(latest["n_predictions"]),
            "latest_p10_confidence": dg.FloatMetadataValue(_number(latest["p10_confidence"])),
            "latest_no_entity_rate": dg.FloatMetadataValue(_number(latest["no_entity_rate"])),
            "daily": dg.MetadataValue.md(daily_table(daily)),
            "chart_png": dg.MetadataValue.md(monitoring_chart(daily, latency)),
        }
    )


def _number(value) -> float | None:
    return None if value is None or value != value else round(float(value), 4)
