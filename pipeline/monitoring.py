"""Turning the ``monitoring_alerts`` mart into asset-check verdicts.

The thresholds and the ok / warn / error judgement live in dbt (``macros/monitoring.sql``, var
``monitoring_thresholds``), so SQL users and the Dagster checks see one verdict. This module only
reads the rows of one metric family and words the result so the check's message names the metric
that tripped, its value and the threshold it crossed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Metric families of ``monitoring_alerts.family``, one asset check each.
FAMILIES = ("volume", "entity_rates", "confidence", "novel_share", "latency", "drift")


@dataclass(frozen=True)
class Verdict:
    passed: bool
    severity: str  # "ERROR" or "WARN" (only meaningful when not passed)
    description: str
    rows: list[dict]


def describe(row: dict) -> str:
    """``psi_token_length[all] = 2.31 (error: above 0.25)``."""
    scope = "" if row["scope"] == "all" else f"[{row['scope']}]"
    threshold = row["error_threshold"] if row["status"] == "error" else row["warn_threshold"]
    return f"{row['metric']}{scope} = {row['value']:.4g} ({row['status']}: {row['direction']} {threshold:g})"


def verdict(alerts: pd.DataFrame, family: str) -> Verdict:
    """The check result for ``family``: failed with ERROR if any of its metrics is in error, with
    WARN if any warns, passed otherwise (also when there is no prediction log yet)."""
    rows = alerts[alerts["family"] == family].to_dict("records") if not alerts.empty else []
    if not rows:
        return Verdict(True, "WARN", f"{family}: nothing to judge yet (no prediction log for this metric)", [])
    tripped = [r for r in rows if r["status"] in ("error", "warn")]
    if not tripped:
        judged = [r for r in rows if r["status"] == "ok"]
        summary = ", ".join(
            f"{r['metric']}{'' if r['scope'] == 'all' else '[' + r['scope'] + ']'}={r['value']:.4g}" for r in judged
        )
        return Verdict(True, "WARN", f"{family} ok on {rows[0]['predicted_day']}: {summary or 'no data'}", rows)
    severity = "ERROR" if any(r["status"] == "error" for r in tripped) else "WARN"
    tripped.sort(key=lambda r: r["status"] != "error")
    return Verdict(
        False, severity, f"{family} on {rows[0]['predicted_day']}: " + "; ".join(describe(r) for r in tripped), rows
    )
