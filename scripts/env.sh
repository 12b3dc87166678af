# Shared environment for the project's scripts (sourced): instance home, offline switches,
# and the optional annotated queries ("bring your own"), found beside the checkout if present.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/dagster_home}"
export DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=False DAGSTER_DISABLE_TELEMETRY=1 \
    BENTOML_DO_NOT_TRACK=True HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ORT_DISABLE_TELEMETRY=1
if [ -z "${QU_ANNOTATED_QUERIES+set}" ] && [ -f "$ROOT/../shared/data/queryner/queryner_train.jsonl" ]; then
    # train and dev only: the queryner_full_* files carry the original 17 types.
    export QU_ANNOTATED_QUERIES="$(cd "$ROOT/../shared/data/queryner" && pwd)/queryner_[td]*.jsonl"
fi
mkdir -p "$DAGSTER_HOME"
