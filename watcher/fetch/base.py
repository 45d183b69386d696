"""Fetch values and the one I/O chokepoint: the `Fetcher` protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

from watcher.fetch.proxy import Proxy


class FailureKind(StrEnum):
    """Why a check could not produce a trustworthy page. Never a policy change."""

    NETWORK_ERROR = "network_error"
    TIMEOUT = "timeout"
    HTTP_ERROR = "http_error"
    # 404 or 410, or a page saying it is not available: a page removed once confirmed.
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    BLOCKED = "blocked"
    LOGIN_WALL = "login_wall"
    CONSENT_WALL = "consent_wall"
    SELECT_EMPTY = "select_matched_nothing"
    EMPTY_CONTENT = "empty_content"
    TRUNCATED = "truncated_content"
    REGION_MISMATCH = "region_mismatch"
    ACTION_FAILED = "action_failed"
    BROWSER_ERROR = "browser_error"
    # Over a size limit (bytes, elements or extracted text, or the memory to read it).
    TOO_LARGE = "too_large"
    # Text full of replacement characters or mojibake: the page was decoded with the wrong charset.
    BAD_ENCODING = "bad_encoding"
    # The region's proxy cannot be reached, refuses the credentials or refuses a tunnel: a
    # configuration or provider problem, whatever the page.
    PROXY_ERROR = "proxy_error"


@dataclass(frozen=True)
class Action:
    """One scripted step run on the page after load, e.g. dismissing a cookie dialog."""

    kind: Literal["click", "fill", "press", "wait_for", "scroll"]
    selector: str = ""
    value: str = ""
    optional: bool = False
    timeout_s: float = 5.0


@dataclass(frozen=True)
class FetchRequest:
    """Everything a fetcher needs for one target; built from a config Target."""

    target_id: str
    url: str
    region_id: str
    locale: str
    timezone: str
    accept_language: str
    proxy: Proxy | None = None  # its repr and str never show the password
    wait_for: str | None = None
    actions: Sequence[Action] = ()
    timeout_s: float = 45.0
    # Keep evidence of this load (full-page screenshot, main response headers, browser
    # version): asked only for a load that becomes a new version.
    evidence: bool = False


@dataclass(frozen=True)
class FetchTimings:
    """Milliseconds spent in each phase of one fetch."""

    context_ms: float = 0.0
    navigation_ms: float = 0.0
    render_ms: float = 0.0
    actions_ms: float = 0.0
    total_ms: float = 0.0
    evidence_ms: float = 0.0  # the screenshot and headers of an evidence load

    def as_dict(self) -> dict[str, float]:
        timings = {
            "context_ms": round(self.context_ms, 1),
            "navigation_ms": round(self.navigation_ms, 1),
            "render_ms": round(self.render_ms, 1),
            "actions_ms": round(self.actions_ms, 1),
            "total_ms": round(self.total_ms, 1),
        }
        if self.evidence_ms:
            timings["evidence_ms"] = round(self.evidence_ms, 1)
        return timings


@dataclass(frozen=True)
class PageEvidence:
    """What an evidence load keeps besides the rendered HTML: how the page looked and how it
    was served."""

    fetched_at: datetime
    browser_version: str
    # The main document's response headers, lower-case names, in the order received.
    response_headers: tuple[tuple[str, str], ...] = ()
    screenshot_png: bytes | None = None
    page_height: int | None = None  # the page's full height, CSS pixels
    screenshot_capped: bool = False  # the screenshot stops at the height cap
    screenshot_error: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """A rendered page as the browser saw it after load, wait_for and actions."""

    target_id: str
    url: str
    final_url: str
    status: int
    html: str
    timings: FetchTimings = field(default_factory=FetchTimings)
    # Set when `wait_for` never matched: the page is kept so health checks can say why
    # (a login wall, a block page) before it is reported as a timeout.
    wait_error: str | None = None
    # Set when a required action failed (e.g. the consent button could not be clicked).
    action_error: str | None = None
    # Set only when the request asked for evidence.
    evidence: PageEvidence | None = None


@dataclass(frozen=True)
class FetchFailure:
    """A check that produced no trustworthy page, with a named kind and a human detail."""

    target_id: str
    kind: FailureKind
    detail: str
    url: str = ""
    final_url: str | None = None
    status: int | None = None
    timings: FetchTimings = field(default_factory=FetchTimings)


FetchOutcome = FetchResult | FetchFailure


class Fetcher(Protocol):
    """Fetches rendered pages. `PlaywrightFetcher` in production, `StaticFetcher` in unit tests."""

    async def fetch(self, request: FetchRequest) -> FetchOutcome: ...

    async def close(self) -> None: ...
