#!/usr/bin/env bash
# The README's second command: install what the tests need, check the habits (ruff lint and
# format, the layering contracts of import-linter), then run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/env.sh
# tests/ui drive Debian's Chromium (Playwright cannot download its own browser offline) and the
# load-script test drives Debian's wrk; as root, install them when missing. Without them those
# tests skip, saying so.
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
        || echo "could not install ${missing[*]}: the tests that need them will skip" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHONPATH=. .venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest "$@"
