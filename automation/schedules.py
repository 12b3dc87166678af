"""The daily retraining schedule, stopped until someone turns it on (retraining costs minutes of
CPU and may promote a new champion, so it is a decision, not a default)."""

import dagster as dg

from automation.jobs import retrain_job

daily_retrain = dg.ScheduleDefinition(
    name="daily_retrain",
    job=retrain_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Retrain every day at 03:00 UTC on whatever data is there (turn on in the UI: Automation).",
)
