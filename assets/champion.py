"""The champion: applies the comparison's decision in the registry and mirrors it to SQL.

The registry's source of truth is the BentoML model store plus the champion event log
(:mod:`model_registry`); this asset writes both into the warehouse (``registry.model_versions``,
``registry.champion_events``) so versions, metrics and champion history are queryable with SQL
and joinable with prediction logs, and the dbt leaderboard marts build on them.
"""

import json

import dagster as dg
import pandas as pd

from model_registry import ModelRegistry
from pipeline.ui import OWNERS, table_metadata, table_schema
from query_understanding.evaluation.scores import metric_keys
from query_understanding.markdown import markdown_table
from resources import ModelStore, ServingEndpoint, Warehouse

REGISTRY_SCHEMA = "registry"
MEASURED = ("latency_p50_ms", "latency_p99_ms", "throughput_qps", "size_bytes")


def versions_frame(registry: ModelRegistry, measured: dict[str, dict], previous: pd.DataFrame | None) -> pd.DataFrame:
    """One row per registered version; latency columns from this run, else the last run's."""
    earlier = {} if previous is None or previous.empty else previous.set_index("tag")[list(MEASURED)].to_dict("index")
    rows = []
    for version in registry.list_versions():
        timing = measured.get(version.tag) or earlier.get(version.tag) or {}
        headline = metric_keys(version.metrics)
        rows.append(
            {
                "tag": version.tag,
                "model_kind": version.kind,
                "model_id": version.model_id,
                "created_at": pd.Timestamp(version.created_at) if version.created_at else pd.NaT,
                "data_version": version.data_version,
                "code_version": version.code_version,
                "parent_model_id": version.parent_model_id,
                "gold_f1_micro": headline.get("gold_f1_micro"),
                "test_f1_micro": headline.get("test_f1_micro"),
                **{key: timing.get(key) for key in MEASURED},
                "train_seconds": headline.get("train_seconds"),
                "metrics_json": json.dumps(version.metrics, sort_keys=True),
                "config_json": json.dumps(version.config, sort_keys=True),
                "registered_at": pd.Timestamp(version.registered_at),
            }
        )
    frame = pd.DataFrame(rows)
    for column in (
        "gold_f1_micro",
        "test_f1_micro",
        "latency_p50_ms",
        "latency_p99_ms",
        "throughput_qps",
        "train_seconds",
    ):
        frame[column] = frame[column].astype("float64")
    frame["size_bytes"] = frame["size_bytes"].astype("Int64")
    return frame


def events_frame(history: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(history, columns=["time", "action", "tag", "previous_tag", "reason"])
    frame["time"] = pd.to_datetime(frame["time"], utc=True).dt.tz_localize(None)
    return frame.rename(columns={"time": "event_time"})


def previous_versions(warehouse: Warehouse) -> pd.DataFrame | None:
    try:
        return warehouse.read_table(f"{REGISTRY_SCHEMA}.model_versions")
    except Exception:  # first run: no table yet
        return None


@dg.asset(
    ins={"comparison": dg.AssetIn("model_comparison")},
    group_name="comparison",
    kinds={"bentoml", "duckdb"},
    owners=OWNERS,
    code_version="1",
)
def champion(
    context: dg.AssetExecutionContext,
    comparison: dict,
    warehouse: Warehouse,
    model_store: ModelStore,
    service: ServingEndpoint,
) -> dg.Output[str]:
    """Promotes the comparison's winner (runs only if ``promotion_gate`` passed) and asks the running
    service (``QU_SERVICE_URL``) to reload it; value: served tag."""
    registry = model_store.registry()
    decision = comparison["decision"]
    reload = {"reloaded": False, "reason": "no promotion: the service keeps its model"}
    if decision["promoted"]:
        registry.promote(decision["champion"], reason=decision["explanation"])
        context.log.info(f"promoted {decision['champion']}: {decision['explanation']}")
        reload = service.reload()
        context.log.info(
            f"service reload: {reload}" if reload["reloaded"] else f"service not reloaded: {reload['reason']}"
        )
    state = registry.state()
    rows = comparison["rows"] + ([comparison["current"]] if comparison.get("current") else [])
    measured = {row["tag"]: row for row in rows}
    versions = versions_frame(registry, measured, previous_versions(warehouse))
    warehouse.replace_table(REGISTRY_SCHEMA, "model_versions", versions)
    history = events_frame(registry.history())
    warehouse.replace_table(REGISTRY_SCHEMA, "champion_events", history)
    return dg.Output(
        state.served,
        metadata={
            "champion": state.champion or "none",
            "served": state.served or "none",
            "pinned": state.pinned or "none",
            "previous_champion": state.previous or "none",
            "decision": decision["explanation"],
            "service_reload": dg.MetadataValue.json(reload),
            # The asset writes two tables: model_versions is "the" table, the events table's
            # columns are shown beside it.
            **table_metadata(f"{REGISTRY_SCHEMA}.model_versions", versions),
            "champion_events_columns": dg.MetadataValue.table_schema(table_schema(history)),
            "history": dg.MetadataValue.md(
                markdown_table(list(history.columns), history.tail(20).itertuples(index=False))
            ),
        },
    )
