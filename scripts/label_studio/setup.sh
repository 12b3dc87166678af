#!/usr/bin/env bash
# Label Studio in its own virtual environment (.label-studio-venv/ at the repo root, git-ignored):
# it pins a Django stack that must not meet the project's .venv. Used only by
# scripts/label_studio/roundtrip.py; the test suite reads the export that script recorded.
#     scripts/label_studio/setup.sh        # idempotent; LABEL_STUDIO_VERSION=... to try another
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.label-studio-venv"
VERSION="${LABEL_STUDIO_VERSION:-1.23.2}"  # the version the recorded fixture came from
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "label-studio==$VERSION"
"$VENV/bin/python" -c "import label_studio; print('label-studio', label_studio.__version__)"  # not `label-studio --version`: that creates a database in ~/.local/share
echo "Label Studio $VERSION in $VENV (telemetry is switched off by roundtrip.py's environment)"
