#!/usr/bin/env bash
# The README's first command: set up a fresh machine, run the main job on the embedded defaults
# (DuckDB, model store and registry under data/, everything offline), then serve the bento it
# built on 127.0.0.1 (QU_SERVE=0 skips serving; QU_PORT changes the port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/env.sh
echo "annotated queries: ${QU_ANNOTATED_QUERIES:-<none>}"
.venv/bin/dagster job execute -f definitions.py -j main
if [ "${QU_SERVE:-1}" = "1" ]; then
    export BENTOML_HOME="${QU_REGISTRY_HOME:-${QU_DATA_DIR:-$PWD/data}/registry}"
    export QU_PREDICTION_LOG_DIR="${QU_PREDICTION_LOG_DIR:-${QU_DATA_DIR:-$PWD/data}/prediction_logs}"
    echo "serving query_understanding:latest on http://127.0.0.1:${QU_PORT:-3000} (Ctrl-C stops)"
    exec env --default-signal=INT,TERM .venv/bin/bentoml serve query_understanding:latest \
        --host 127.0.0.1 --port "${QU_PORT:-3000}"
fi
