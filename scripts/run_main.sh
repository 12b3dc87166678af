#!/usr/bin/env bash
# The README's first command: set up a fresh machine and run the main job on the embedded
# defaults (DuckDB under data/, models under data/, everything offline).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/env.sh
echo "annotated queries: ${QU_ANNOTATED_QUERIES:-<none>}"
.venv/bin/dagster job execute -f definitions.py -j main
