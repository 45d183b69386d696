#!/usr/bin/env bash
# Makes sure Playwright can drive a Chromium:
#   1. a Chromium already known to watcher (Playwright's own, $WATCHER_CHROMIUM or a system one);
#   2. otherwise Playwright's own download (`playwright install chromium`);
#   3. where that cannot download and this machine has apt and root: Debian's `chromium`.
set -euo pipefail

venv="${1:-.venv}"
has_chromium() {
    "$venv/bin/python" - <<'PY'
import sys
from watcher.fetch.browser import choose_executable
from watcher.errors import FetchError
from playwright.sync_api import sync_playwright
try:
    with sync_playwright() as p:
        bundled = p.chromium.executable_path
    choose_executable(None, bundled)
except FetchError:
    sys.exit(1)
PY
}

if has_chromium; then
    exit 0
fi
echo "No Chromium yet: trying Playwright's own download..." >&2
if "$venv/bin/playwright" install chromium >/dev/null 2>&1 && has_chromium; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Playwright could not download its browser: installing Debian's chromium instead..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    has_chromium && exit 0
fi
echo "watcher needs Chromium: run '$venv/bin/playwright install chromium' with internet access," \
     "or install your system's chromium package and set WATCHER_CHROMIUM to its path." >&2
exit 1
