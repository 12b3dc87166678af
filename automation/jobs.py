"""What the automation runs: the feedback side of the graph and the retraining job.

New prediction-log lines change only what reads the log: the feedback marts, the monitoring
marts (and their checks) and the annotation queue, so the log sensor materializes exactly those
and never retrains. New annotated data (or the daily schedule) retrains: the whole graph, since a
new data version flows from the splits through every model to the champion and the bento.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from assets.dbt_models import query_dataset_models

#: dbt models that read the prediction log (stg_predictions and everything built on it).
FEEDBACK_MODELS = (
    "stg_predictions",
    "int_prediction_tags",
    "feedback_weak_labels",
    "novel_entities",
    "int_prediction_entities",
    "monitoring_daily",
    "monitoring_latency",
    "monitoring_drift",
    "monitoring_alerts",
)

FEEDBACK_KEYS = [get_asset_key_for_model([query_dataset_models], model) for model in FEEDBACK_MODELS]
#: Python assets over the log: the annotation queue and the monitoring report (table + chart).
FEEDBACK_PYTHON_KEYS = [dg.AssetKey("annotation_queue"), dg.AssetKey("monitoring_report")]
FEEDBACK_SELECTION = dg.AssetSelection.assets(*FEEDBACK_KEYS, *FEEDBACK_PYTHON_KEYS)

retrain_job = dg.define_asset_job(
    "retrain",
    selection=dg.AssetSelection.all(),
    description="The whole graph, started by new annotated data or the daily schedule: new data version -> "
    "splits -> models -> comparison -> champion (and the running service reloads) -> bento.",
    tags={"qu/trigger": "retrain"},
)
