"""Project paths and the environment defaults every entry point shares.

Importing this module switches off telemetry and hub access for every library the graph uses
(dbt, Dagster, BentoML, Hugging Face, ONNX Runtime), before any of them is imported, so the
project runs offline with nothing to remember. Values already set by the user win.
"""

from __future__ import annotations

import os
from pathlib import Path

import query_understanding.offline  # noqa: F401  (sets the offline/telemetry switches)

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: Everything the graph writes (warehouse, model artifacts, prediction logs) lives here.
DATA_DIR = Path(os.environ.get("QU_DATA_DIR", PROJECT_ROOT / "data")).resolve()


def default_duckdb_path() -> str:
    """The warehouse file: ``$QU_DUCKDB_PATH`` or ``data/warehouse.duckdb``."""
    return str(Path(os.environ.get("QU_DUCKDB_PATH", DATA_DIR / "warehouse.duckdb")).resolve())


def default_prediction_log_dir() -> str:
    """Where the service appends predictions and dbt reads them (absolute: dbt runs in dbt/)."""
    return str(Path(os.environ.get("QU_PREDICTION_LOG_DIR", DATA_DIR / "prediction_logs")).resolve())
