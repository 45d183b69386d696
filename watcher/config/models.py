"""The shape of sources.yaml as strict pydantic models: every key known, every value checked.

Strict mode: YAML already types values, so a number where a name belongs, or "yes" where a
boolean belongs, is a mistake to report, not something to coerce.
"""

from __future__ import annotations

import re
from datetime import timedelta
from difflib import get_close_matches
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from watcher.config.durations import DURATION_EXAMPLES, check_range, parse_duration
from watcher.config.sizes import parse_size
from watcher.config.urls import check_url_template
from watcher.fetch.limits import PageLimits, format_size
from watcher.fetch.proxy import Proxy

_REGION_ID = re.compile(r"^[a-z][a-z0-9_-]{0,15}$")
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# BCP-47 as browsers take it: language, optional script, optional region (`fr-FR`, `pt-BR`,
# `zh-Hant-TW`, `es-419`), in canonical case.
_LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")
_HEADER_VALUE = re.compile(r"^[A-Za-z0-9*,;=.\- ]+$")

LegalVariant = Literal["eu", "uk", "br", "us", "other"]
ContextReuse = Literal["per_region", "per_target"]

# Page limits: below these no real Meta page would pass; above them one page could take the
# server's memory.
PAGE_BYTES_RANGE = (256 * 1024, 1024**3)
DOM_NODES_RANGE = (5_000, 10_000_000)
TEXT_CHARS_RANGE = (50_000, 100_000_000)

MIN_INTERVAL = timedelta(minutes=1)
MIN_TIMEOUT = timedelta(seconds=1)
MAX_TIMEOUT = timedelta(minutes=10)
MAX_SPAN = timedelta(days=90)
MAX_SPACING = timedelta(minutes=10)
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]{1,63}$")
# A page answering 404/410 on consecutive checks for this long is recorded as removed.
DEFAULT_REMOVED_AFTER = timedelta(hours=12)


def _region_id(value: str) -> str:
    if not _REGION_ID.match(value):
        raise ValueError(
            f"bad region id {value!r}: use 1-16 lowercase letters, digits, '-' or '_', "
            "starting with a letter"
        )
    return value


def _source_id(value: str) -> str:
    if not _SOURCE_ID.match(value):
        raise ValueError(
            f"bad source id {value!r}: use 1-64 lowercase letters, digits, '.', '-' or '_' "
            "(it becomes part of target ids like 'fb-genai@fr')"
        )
    return value


def _locale(value: str) -> str:
    if not _LOCALE.match(value):
        hint = " (use '-', not '_')" if "_" in value else ""
        raise ValueError(f"expected a BCP-47 locale like 'fr-FR' or 'pt-BR'{hint}, got {value!r}")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # Only on this error path is the whole zone list read, to suggest the intended name.
        close = get_close_matches(value, sorted(available_timezones()), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"unknown time zone {value!r}: expected an IANA name like 'Europe/Paris'{hint}"
        ) from None
    return value


def _accept_language(value: str) -> str:
    if not _HEADER_VALUE.match(value) or not value.strip():
        raise ValueError(f"expected an Accept-Language value like 'fr-FR,fr;q=0.9', got {value!r}")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _duration(value: object) -> timedelta:
    if not isinstance(value, str):
        raise ValueError(f"expected a duration like {DURATION_EXAMPLES}, got {value!r}")
    return parse_duration(value)


def _one_or_many(value: object) -> object:
    """`select: "main"` is shorthand for `select: ["main"]`."""
    return [value] if isinstance(value, str) else value


def _page_bytes(value: int) -> int:
    least, most = PAGE_BYTES_RANGE
    if not least <= value <= most:
        raise ValueError(
            f"max_page_bytes must be between {format_size(least)} and {format_size(most)}, "
            f"got {format_size(value)}"
        )
    return value


def _interval(value: timedelta) -> timedelta:
    return check_range(value, what="interval", least=MIN_INTERVAL)


def _proxy(value: object) -> Proxy:
    """A proxy URL parsed once, so that only its password-free `display` is ever printed."""
    if isinstance(value, Proxy):
        return value
    if not isinstance(value, str):
        # Reported like any other wrong type ("expected a string, got the number 3128").
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return Proxy.from_url(value)


def _span(value: timedelta) -> timedelta:
    return check_range(value, what="removed_after", least=timedelta(0), most=MAX_SPAN)


def _spacing(value: timedelta) -> timedelta:
    return check_range(value, what="min_spacing", least=timedelta(0), most=MAX_SPACING)


def _host(value: str) -> str:
    if not _HOST.match(value):
        raise ValueError(f"expected a host name like 'www.facebook.com', got {value!r}")
    return value.lower()


def _timeout(value: timedelta) -> timedelta:
    return check_range(value, what="timeout", least=MIN_TIMEOUT, most=MAX_TIMEOUT)


Text = Annotated[str, AfterValidator(_not_blank)]
RegionId = Annotated[str, AfterValidator(_region_id)]
SourceId = Annotated[str, AfterValidator(_source_id)]
Interval = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_interval)]
Timeout = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_timeout)]
Span = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_span)]
Spacing = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_spacing)]
HostName = Annotated[str, AfterValidator(_host)]
Selectors = Annotated[list[Text], BeforeValidator(_one_or_many)]
PageBytes = Annotated[int, BeforeValidator(parse_size), AfterValidator(_page_bytes)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class RegionConfig(_Strict):
    """One place pages are seen from: browser locale, time zone, language and network egress."""

    locale: Annotated[str, AfterValidator(_locale)]
    timezone: Annotated[str, AfterValidator(_timezone)]
    accept_language: Annotated[str, AfterValidator(_accept_language)]
    # Dumped as its `display`: a dump of the config is output like any other.
    proxy: Annotated[Proxy, PlainValidator(_proxy), PlainSerializer(str)] | None = None
    # Which legal text an egress in this region should be served; a page declaring another one
    # is a fetch problem (wrong egress), not a policy change.
    legal_variant: LegalVariant | None = None


class DefaultsConfig(_Strict):
    interval: Interval = timedelta(hours=6)
    timeout: Timeout = timedelta(seconds=45)
    # Re-fetch once before reporting a change, so a half-rendered page is not an alert.
    confirm: bool = True
    # A page gone (404/410) on consecutive checks for this long is a `page_removed` change;
    # at least two checks are needed whatever the span.
    removed_after: Span = DEFAULT_REMOVED_AFTER


class BrowserConfig(_Strict):
    executable_path: Text | None = None  # None: Playwright's browser, else a system Chromium
    max_concurrency: int = Field(default=4, ge=1, le=16)
    context_reuse: ContextReuse = "per_region"
    headless: bool = True
    # A page over one of these is a `too_large` failed check (stopped as soon as it is over).
    max_page_bytes: PageBytes = PageLimits.max_page_bytes
    max_dom_nodes: int = Field(
        default=PageLimits.max_dom_nodes, ge=DOM_NODES_RANGE[0], le=DOM_NODES_RANGE[1]
    )
    max_text_chars: int = Field(
        default=PageLimits.max_text_chars, ge=TEXT_CHARS_RANGE[0], le=TEXT_CHARS_RANGE[1]
    )


class HostPolitenessConfig(_Strict):
    """How one host is fetched: at most `max_concurrent` pages at once, starts `min_spacing`
    apart. Either key left out takes the value of `politeness:`."""

    max_concurrent: int | None = Field(default=None, ge=1, le=64)
    min_spacing: Spacing | None = None


class PolitenessConfig(_Strict):
    """Per host and per process (each worker has its own egress, and Meta limits by address).
    The defaults fit Meta's hosts: two pages at once, starts three seconds apart."""

    max_concurrent: int = Field(default=2, ge=1, le=64)
    min_spacing: Spacing = timedelta(seconds=3)
    hosts: dict[HostName, HostPolitenessConfig] = {}


class FillStep(_Strict):
    selector: Text
    value: str


class PressStep(_Strict):
    selector: Text
    key: Text


ACTION_KINDS: tuple[str, ...] = ("click", "fill", "press", "wait_for", "scroll")


class ActionConfig(_Strict):
    """One step after load: exactly one of click / fill / press / wait_for / scroll."""

    click: Text | None = None
    fill: FillStep | None = None
    press: PressStep | None = None
    wait_for: Text | None = None
    scroll: Literal["bottom"] | None = None
    optional: bool = False
    timeout: Timeout | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> ActionConfig:
        present = [kind for kind in ACTION_KINDS if getattr(self, kind) is not None]
        if len(present) != 1:
            found = f"found {', '.join(present)}" if present else "found none"
            raise ValueError(f"an action needs exactly one of {', '.join(ACTION_KINDS)} ({found})")
        return self

    @property
    def kind(self) -> Literal["click", "fill", "press", "wait_for", "scroll"]:
        if self.click is not None:
            return "click"
        if self.fill is not None:
            return "fill"
        if self.press is not None:
            return "press"
        if self.wait_for is not None:
            return "wait_for"
        return "scroll"


class SourceConfig(_Strict):
    """One page to watch, in each of its regions."""

    id: SourceId
    title: Text
    url: Annotated[str, AfterValidator(check_url_template)]
    regions: list[RegionId] = Field(min_length=1)
    select: Selectors = []
    remove: Selectors = []
    wait_for: Text | None = None
    actions: list[ActionConfig] = []
    interval: Interval | None = None
    timeout: Timeout | None = None
    confirm: bool | None = None
    removed_after: Span | None = None
    tags: list[Text] = []


class ConfigModel(_Strict):
    """The file's sources and settings. An unknown top-level key is an error, like everywhere else.

    The whole file is `watcher.config.subscriptions.ConfigFileModel`, which adds the optional
    `subscriptions:` section to these keys.
    """

    regions: dict[RegionId, RegionConfig] = Field(min_length=1)
    defaults: DefaultsConfig = DefaultsConfig()
    browser: BrowserConfig = BrowserConfig()
    politeness: PolitenessConfig = PolitenessConfig()
    sources: list[SourceConfig] = Field(min_length=1)
