"""Finding a Chromium for Playwright and the flags it is launched with."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from watcher.errors import FetchError
from watcher.fetch.limits import PageLimits

# Flags that keep a headless Chromium quiet on the network: no background updates, sync or QUIC,
# so the only traffic it sends is the pages it is asked to load.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

SYSTEM_CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)

EXECUTABLE_ENV = "WATCHER_CHROMIUM"


@dataclass(frozen=True)
class BrowserSettings:
    """How the one browser of a process is launched and shared."""

    executable_path: str | None = None
    headless: bool = True
    max_concurrency: int = 4
    context_reuse: Literal["per_region", "per_target"] = "per_region"
    # A kept context is replaced after this many pages, so a long run does not grow without bound.
    recycle_after_pages: int = 200
    # After load (and wait_for), the page counts as rendered once the DOM stays quiet this long.
    settle_quiet_ms: int = 250
    # Once `wait_for` has matched, the content is there: a short quiet spell still lets a
    # script that inserts the rest right after the awaited element finish.
    settle_quiet_after_match_ms: int = 50
    settle_max_ms: int = 4000
    extra_args: Sequence[str] = ()
    # A page over one of these is a `too_large` failure, stopped as soon as it is over.
    limits: PageLimits = field(default_factory=PageLimits)


def choose_executable(configured: str | None, bundled: str | None) -> str | None:
    """The Chromium to launch: None means Playwright's own bundled browser.

    Order: the configured path, then $WATCHER_CHROMIUM, then Playwright's bundled browser when it
    is installed, then a system Chromium (e.g. Debian's, for machines where Playwright cannot
    download its own).
    """
    explicit = configured or os.environ.get(EXECUTABLE_ENV)
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise FetchError(
                f"configured Chromium {explicit!r} does not exist or is not executable"
            )
        return explicit
    if bundled and os.path.isfile(bundled):
        return None
    for candidate in SYSTEM_CHROMIUM_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise FetchError(
        "no Chromium found: run `make setup` (installs one), `playwright install chromium`, "
        f"or set browser.executable_path / ${EXECUTABLE_ENV}"
    )
