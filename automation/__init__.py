"""Automation of the closed loop in Dagster idioms: jobs, sensors and the retraining schedule.

``definitions.py`` registers everything here; a layer above ``assets`` (it selects assets, it
defines none).
"""

from automation.jobs import FEEDBACK_SELECTION, retrain_job
from automation.schedules import daily_retrain
from automation.sensors import annotated_queries_sensor, catalog_automation, prediction_log_sensor

__all__ = [
    "FEEDBACK_SELECTION",
    "annotated_queries_sensor",
    "catalog_automation",
    "daily_retrain",
    "prediction_log_sensor",
    "retrain_job",
]
