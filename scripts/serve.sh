#!/usr/bin/env bash
# Serve a bento (default: the newest query_understanding bento) on 127.0.0.1:$QU_PORT (3000).
# The registry home (QU_REGISTRY_HOME, default data/registry) is BentoML's home, and the service
# appends predictions where dbt reads them (QU_PREDICTION_LOG_DIR, default data/prediction_logs):
# the same locations the pipeline uses (query_understanding/settings.py).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
eval "$(.venv/bin/python - <<'PY'
from query_understanding.settings import Locations
locations = Locations.from_env()
print(f"export BENTOML_HOME='{locations.registry_home}' QU_PREDICTION_LOG_DIR='{locations.prediction_log_dir}'")
PY
)"
bento="${1:-query_understanding:latest}"
echo "serving $bento on http://127.0.0.1:${QU_PORT:-3000} (registry $BENTOML_HOME; Ctrl-C stops)"
exec env --default-signal=INT,TERM .venv/bin/bentoml serve "$bento" --host 127.0.0.1 --port "${QU_PORT:-3000}"
