"""The `subscriptions:` section of sources.yaml: who is told what, through which channels.

    subscriptions:
      - id: newsroom-slack
        urls: "slack://T0000/B0000/XXXXXXXX/#privacy"   # one Apprise URL or a list
        regions: [fr, de]                                # filters: empty means all
        min_severity: high
      - id: dpo-daily
        apprise_config: alerts.yml                       # or an Apprise config file...
        tags: [dpo]                                      # ...and the tags to notify
        kinds: [opt_out_changed, legal_basis_changed]
        mode: digest
        digest: daily                                    # hourly | daily (default daily)

Filters combine with AND; a list matches any of its entries. `kinds` and `min_severity` need at
least one finding of the change to pass both; without them every change is told, even one
the classifier found nothing in. Apprise URLs hold secrets (tokens, passwords): no message
here quotes one, they are shown only as `notifiers.redact_url` prints them.

Values only: whether Apprise can use a URL, and what an `apprise_config:` file holds, is
checked at the alerts edge (`watcher.alerts.channel_config`) when a command starts, with the
same file, line and key path in its messages.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from notifiers.redact import redact_url
from watcher.classify.finding import FindingKind
from watcher.config.explain import closest
from watcher.config.locations import Locations, Problem
from watcher.config.models import ConfigModel, RegionId, SourceId, Text, _Strict

_SUBSCRIPTION_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

FINDING_KINDS: tuple[str, ...] = tuple(kind.value for kind in FindingKind)
SeverityName = Literal["low", "medium", "high"]
DeliveryMode = Literal["immediate", "digest"]
DigestPeriod = Literal["hourly", "daily"]
DEFAULT_DIGEST: DigestPeriod = "daily"


def _subscription_id(value: str) -> str:
    if not _SUBSCRIPTION_ID.match(value):
        raise ValueError(
            f"bad subscription id {value!r}: use 1-64 lowercase letters, digits, '.', '-' or '_'"
        )
    return value


def _finding_kind(value: str) -> str:
    if value not in FINDING_KINDS:
        guess = closest(value, list(FINDING_KINDS))
        did_you_mean = f"; did you mean {guess!r}?" if guess else ""
        raise ValueError(
            f"unknown finding kind {value!r}{did_you_mean} (known: {', '.join(FINDING_KINDS)})"
        )
    return value


def _apprise_url(value: str) -> str:
    if not value.strip():
        raise ValueError("expected an Apprise URL, got an empty string")
    return value


def _one_or_many(value: object) -> object:
    """`urls: "mailto://..."` is shorthand for a list of one."""
    return [value] if isinstance(value, str) else value


AppriseUrl = Annotated[str, AfterValidator(_apprise_url)]
AppriseUrls = Annotated[list[AppriseUrl], BeforeValidator(_one_or_many), Field(min_length=1)]
FindingKindName = Annotated[str, AfterValidator(_finding_kind)]
SubscriptionId = Annotated[str, AfterValidator(_subscription_id)]


class SubscriptionConfig(_Strict):
    """Who is told about which changes, and how: at once, or in an hourly or daily digest."""

    id: SubscriptionId
    # Secrets: left out of the model's repr, so a logged or printed model shows none.
    urls: AppriseUrls | None = Field(default=None, repr=False)
    apprise_config: Text | None = None  # a path, relative to the folder of sources.yaml
    tags: list[Text] = Field(default_factory=list)
    sources: list[SourceId] = Field(default_factory=list)
    regions: list[RegionId] = Field(default_factory=list)
    kinds: list[FindingKindName] = Field(default_factory=list)
    min_severity: SeverityName | None = None
    mode: DeliveryMode = "immediate"
    digest: DigestPeriod | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SubscriptionConfig:
        if (self.urls is None) == (self.apprise_config is None):
            raise ValueError("a subscription needs exactly one of 'urls' or 'apprise_config'")
        if self.tags and self.apprise_config is None:
            raise ValueError("'tags' select entries of an 'apprise_config' file; use it with one")
        if self.digest is not None and self.mode != "digest":
            raise ValueError("'digest' only applies with 'mode: digest'")
        return self

    @property
    def digest_period(self) -> DigestPeriod:
        return self.digest or DEFAULT_DIGEST

    @property
    def redacted_urls(self) -> tuple[str, ...]:
        """The inline URLs as they may be shown (empty for an Apprise config file)."""
        return tuple(redact_url(url) for url in self.urls or ())


class ConfigFileModel(ConfigModel):
    """The whole sources.yaml: sources, regions and settings (`ConfigModel`) and subscriptions.

    Kept here rather than in `models` so subscriptions can reuse the field types defined there
    without an import cycle.
    """

    subscriptions: list[SubscriptionConfig] = Field(default_factory=list)


def check_subscription_references(data: dict[str, object], locations: Locations) -> list[Problem]:
    """Ids unique, URLs not repeated, filters naming sources and regions that exist and meet.

    Runs on the raw data like `references.check_references`; odd shapes are left to the models.
    """
    subscriptions = data.get("subscriptions")
    if not isinstance(subscriptions, list):
        return []
    regions = data.get("regions")
    known_regions = (
        [k for k in regions if isinstance(k, str)] if isinstance(regions, dict) else None
    )
    source_regions = _source_regions(data.get("sources"))
    problems = _duplicate_ids(subscriptions, locations)
    for index, entry in enumerate(subscriptions):
        if not isinstance(entry, dict):
            continue
        found = _repeated_urls(index, entry)
        if source_regions is not None:
            found += _unknown(index, entry, "sources", "source", list(source_regions))
        if known_regions is not None:
            found += _unknown(index, entry, "regions", "region", known_regions)
        if source_regions is not None and not found:
            found += _filters_meet(index, entry, source_regions)
        problems += found
    return problems


def _source_regions(sources: object) -> dict[str, list[str]] | None:
    if not isinstance(sources, list):
        return None
    found: dict[str, list[str]] = {}
    for source in sources:
        if isinstance(source, dict) and isinstance(source.get("id"), str):
            listed = source.get("regions")
            regions = [r for r in listed if isinstance(r, str)] if isinstance(listed, list) else []
            found.setdefault(str(source["id"]), []).extend(regions)
    return found


def _duplicate_ids(subscriptions: list[object], locations: Locations) -> list[Problem]:
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, entry in enumerate(subscriptions):
        subscription_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(subscription_id, str):
            continue
        if subscription_id not in first_index:
            first_index[subscription_id] = index
            continue
        earlier = first_index[subscription_id]
        line = locations.line_of(("subscriptions", earlier, "id"))
        where = f"subscriptions[{earlier}]" + (f" at line {line}" if line is not None else "")
        message = f"duplicate subscription id {subscription_id!r} (also {where})"
        problems.append(Problem(("subscriptions", index, "id"), message))
    return problems


def _repeated_urls(index: int, entry: dict[object, object]) -> list[Problem]:
    urls = entry.get("urls")
    if not isinstance(urls, list):
        return []
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, url in enumerate(urls):
        if isinstance(url, str) and url.strip() in seen:
            message = f"{redact_url(url)} is listed twice"
            problems.append(Problem(("subscriptions", index, "urls", position), message))
        if isinstance(url, str):
            seen.add(url.strip())
    return problems


def _unknown(
    index: int, entry: dict[object, object], key: str, what: str, known: list[str]
) -> list[Problem]:
    listed = entry.get(key)
    if not isinstance(listed, list):
        return []
    problems: list[Problem] = []
    for position, name in enumerate(listed):
        if isinstance(name, str) and name not in known:
            guess = closest(name, known)
            did_you_mean = f"; did you mean {guess!r}?" if guess else ""
            shown = ", ".join(sorted(known)) or "none"
            message = f"unknown {what} {name!r}{did_you_mean} (known: {shown})"
            problems.append(Problem(("subscriptions", index, key, position), message))
    return problems


def _filters_meet(
    index: int, entry: dict[object, object], source_regions: dict[str, list[str]]
) -> list[Problem]:
    """A subscription whose sources are watched in none of its regions could never be told."""
    sources, regions = entry.get("sources"), entry.get("regions")
    if not (isinstance(sources, list) and sources and isinstance(regions, list) and regions):
        return []
    watched = {region for source in sources for region in source_regions.get(str(source), [])}
    if watched & {str(region) for region in regions}:
        return []
    message = (
        f"no target matches: the sources {', '.join(map(str, sources))} are not watched in "
        f"{', '.join(map(str, regions))} (they are in: {', '.join(sorted(watched)) or 'none'})"
    )
    return [Problem(("subscriptions", index, "regions"), message)]
