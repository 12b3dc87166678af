#!/usr/bin/env bash
# The README's second command: install what the tests need, check the habits (ruff lint and
# format, the layering contracts of import-linter), then run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/env.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHONPATH=. .venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest "$@"
