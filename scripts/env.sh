# Shared environment for the project's shell entry points (sourced): instance home, the offline
# switches (from query_understanding/offline.py, the one list), and the optional annotated
# queries ("bring your own"), found beside the checkout if present.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${QU_WAREHOUSE:-duckdb}" = postgres ]; then
    # The production profile: the instance on PostgreSQL (dagster_home/postgres/dagster.yaml reads
    # libpq's PG* variables; Dagster requires PGPASSWORD to be set, empty means trust or ~/.pgpass).
    export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/dagster_home/postgres}"
    export PGPASSWORD="${PGPASSWORD-}"
else
    export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/dagster_home}"
fi
eval "$(PYTHONPATH="$ROOT" "$ROOT/.venv/bin/python" -m query_understanding.offline)"
if [ -z "${QU_ANNOTATED_QUERIES+set}" ] && [ -f "$ROOT/../shared/data/queryner/queryner_train.jsonl" ]; then
    # train and dev only: the queryner_full_* files carry the original 17 types.
    export QU_ANNOTATED_QUERIES="$(cd "$ROOT/../shared/data/queryner" && pwd)/queryner_[td]*.jsonl"
fi
mkdir -p "$DAGSTER_HOME"
