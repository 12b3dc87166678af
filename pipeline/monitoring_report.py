"""The monitoring marts of the last weeks as the UI shows them: a table and a chart.

``monitoring_daily`` and ``monitoring_latency`` hold one row per day (and model tag); an
engineer asks "what changed lately", so the report keeps the last :data:`WINDOW_DAYS` days and
plots volume, per-type entity rates, confidence and latency on one time axis.
"""

from __future__ import annotations

import pandas as pd

from pipeline.charts import png_markdown, pyplot
from query_understanding.markdown import markdown_table

#: Days the report and its chart cover (the "last weeks").
WINDOW_DAYS = 28

TABLE_COLUMNS = (
    ("day", "predicted_day"),
    ("queries", "n_predictions"),
    ("BRAND rate", "brand_entity_rate"),
    ("COLOR rate", "color_entity_rate"),
    ("TYPE rate", "type_entity_rate"),
    ("no entity", "no_entity_rate"),
    ("mean conf", "mean_confidence"),
    ("p10 conf", "p10_confidence"),
    ("novel", "novel_share"),
)


def last_days(frame: pd.DataFrame, days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Rows of the last ``days`` days that have data, oldest first."""
    if frame.empty:
        return frame
    frame = frame.assign(predicted_day=pd.to_datetime(frame["predicted_day"])).sort_values("predicted_day")
    return frame[frame["predicted_day"] > frame["predicted_day"].max() - pd.Timedelta(days=days)]


def daily_table(daily: pd.DataFrame) -> str:
    rows = [
        [row[key].date().isoformat() if key == "predicted_day" else row[key] for _, key in TABLE_COLUMNS]
        for _, row in daily.iterrows()
    ]
    return markdown_table([header for header, _ in TABLE_COLUMNS], rows)


def monitoring_chart(daily: pd.DataFrame, latency: pd.DataFrame) -> str:
    """Four panels over the window: volume, entity rates, confidence, p50/p99 latency per tag."""
    plt = pyplot()
    fig, axes = plt.subplots(4, 1, figsize=(8, 8), sharex=True)
    days = daily["predicted_day"]
    axes[0].bar(days, daily["n_predictions"], color="#4c72b0")
    axes[0].set_ylabel("queries / day")
    for column, label in (("brand_entity_rate", "BRAND"), ("color_entity_rate", "COLOR"), ("type_entity_rate", "TYPE")):
        axes[1].plot(days, daily[column], marker="o", label=label)
    axes[1].set_ylabel("entity rate")
    axes[1].set_ylim(0, 1)
    axes[1].legend(loc="upper left", fontsize=7)
    axes[2].plot(days, daily["mean_confidence"], marker="o", label="mean")
    axes[2].plot(days, daily["p10_confidence"], marker="o", label="p10")
    axes[2].set_ylabel("confidence")
    axes[2].legend(loc="lower left", fontsize=7)
    for tag, rows in latency.groupby("model_tag"):
        axes[3].plot(rows["predicted_day"], rows["latency_p99_ms"], marker="o", label=f"{tag} p99")
        axes[3].plot(rows["predicted_day"], rows["latency_p50_ms"], marker=".", linestyle="--", label=f"{tag} p50")
    axes[3].set_ylabel("latency (ms)")
    if not latency.empty:
        axes[3].legend(loc="upper left", fontsize=6)
    fig.autofmt_xdate()
    fig.tight_layout()
    return png_markdown(fig, "monitoring, last weeks")
