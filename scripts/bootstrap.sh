#!/usr/bin/env bash
# Creates the virtual environment (if missing), installs watcher with its dev extras and makes
# sure Playwright has a Chromium to drive. Safe to run again: it only does what is missing.
set -euo pipefail

venv="${1:-.venv}"
python="${PYTHON:-python3}"
cd "$(dirname "$0")/.."

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "watcher needs Python 3.11 or newer; set PYTHON=/path/to/python3.11 and run again." >&2
    exit 1
fi

stamp="$venv/.watcher-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    if [ -z "${WATCHER_NO_UV:-}" ] && command -v uv >/dev/null 2>&1; then
        [ -x "$venv/bin/python" ] || uv venv --quiet --python "$python" "$venv"
        uv pip install --quiet --python "$venv/bin/python" -e '.[dev]'
    else
        [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        "$venv/bin/python" -m pip install --quiet -e '.[dev]'
    fi
    touch "$stamp"
fi

exec scripts/ensure-browser.sh "$venv"
