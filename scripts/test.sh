#!/usr/bin/env bash
# The README's second command: install what the tests need, check the habits (ruff lint and
# format, the layering contracts of import-linter), then run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/env.sh
# tests/ui drive Debian's Chromium (Playwright cannot download its own browser offline); as root,
# install it when missing. Without it those tests skip, saying so.
if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
        || echo "could not install chromium: the UI tests will skip" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHONPATH=. .venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest "$@"
