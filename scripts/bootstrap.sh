#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the project with its test extras. Idempotent: a second
# run only re-checks the pins. Sourced by run_main.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet -e ".[test]"
    rm -f .venv/.installed-* && touch "$stamp"
fi
