#!/usr/bin/env bash
# A separate virtual environment with pywb, used only by the test that replays an exported WARC
# in Chromium. Separate because pywb pins old versions of libraries (redis 2, fakeredis 0.16)
# that must not reach watcher's own environment. Optional: when pywb cannot be installed the
# replay test is skipped with the reason, and everything else runs.
set -uo pipefail

venv="${1:-.venv-replay}"
python="${PYTHON:-python3}"
cd "$(dirname "$0")/.."

[ -x "$venv/bin/wayback" ] && exit 0
if ! { [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"; } \
    || ! "$venv/bin/python" -m pip install --quiet "pywb>=2.8" >"$venv.log" 2>&1; then
    echo "pywb could not be installed (see $venv.log); the WARC replay test will be skipped." >&2
fi
exit 0
