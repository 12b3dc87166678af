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
    exec bash scripts/serve.sh
fi
