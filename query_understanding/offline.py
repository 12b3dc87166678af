"""Offline and no-telemetry defaults for every library the project uses.

Each entry point (the Dagster definitions, the service, the CLIs, the scripts, the tests)
calls :func:`apply` once, before it imports dbt, Dagster, BentoML, transformers or ONNX
Runtime, so nothing reaches out to a model hub or a telemetry endpoint. ``setdefault``: a
user's own setting wins. ``python -m query_understanding.offline`` prints the same switches
as shell ``export`` lines (``scripts/env.sh`` evaluates them for shell entry points).
"""

import os

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ORT_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "BENTOML_DO_NOT_TRACK": "True",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply() -> None:
    """Set every switch of :data:`OFFLINE_ENVIRONMENT` that the user has not set."""
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


if __name__ == "__main__":
    for name, value in OFFLINE_ENVIRONMENT.items():
        print(f"export {name}=${{{name}:-{value}}}")
