"""Files the pipeline reads that come from outside it: annotated queries and the prediction log."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class SourceFiles(dg.ConfigurableResource):
    """Inputs dbt reads from files, handed to it as ``--vars`` by the dbt assets."""

    prediction_log_dir: str
    """Root of the service's prediction log (``date=YYYY-MM-DD/part-<pid>.jsonl``); may be empty."""
    annotated_queries: str = ""
    """Path or glob of annotated JSONL files (bring your own); empty: synthetic data only."""

    def dbt_vars(self) -> dict[str, str]:
        """The dbt vars naming these files (absolute paths: dbt runs in ``dbt/``)."""
        return {
            "prediction_log_dir": str(Path(self.prediction_log_dir).resolve()),
            "annotated_queries_path": self.annotated_queries,
        }
