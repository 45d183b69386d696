"""A validated configuration and its targets: each source seen from each of its regions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from watcher.config.explain import closest
from watcher.config.locations import Locations
from watcher.config.models import (
    DEFAULT_REMOVED_AFTER,
    ActionConfig,
    BrowserConfig,
    DefaultsConfig,
    PolitenessConfig,
    RegionConfig,
    SourceConfig,
)
from watcher.config.subscriptions import SubscriptionConfig
from watcher.config.urls import check_url, expand_url, placeholder_values
from watcher.errors import ConfigError
from watcher.fetch.base import Action, FetchRequest

DEFAULT_ACTION_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Target:
    """One page as seen from one region: what the scheduler checks and storage keys on."""

    id: str  # "SOURCE@REGION", e.g. "fb-genai@fr"
    source_id: str
    region_id: str
    title: str
    url: str  # expanded for the region
    region: RegionConfig
    select: tuple[str, ...]
    remove: tuple[str, ...]
    wait_for: str | None
    actions: tuple[Action, ...]
    interval: timedelta
    timeout: timedelta
    confirm: bool
    tags: tuple[str, ...]
    removed_after: timedelta = DEFAULT_REMOVED_AFTER

    def to_fetch_request(self) -> FetchRequest:
        return FetchRequest(
            target_id=self.id,
            url=self.url,
            region_id=self.region_id,
            locale=self.region.locale,
            timezone=self.region.timezone,
            accept_language=self.region.accept_language,
            proxy=self.region.proxy,
            wait_for=self.wait_for,
            actions=self.actions,
            timeout_s=self.timeout.total_seconds(),
        )


def to_action(step: ActionConfig) -> Action:
    """An `actions:` item as the fetcher runs it (`press.key` and `fill.value` go to `value`)."""
    selector, value = "", ""
    if step.fill is not None:
        selector, value = step.fill.selector, step.fill.value
    elif step.press is not None:
        selector, value = step.press.selector, step.press.key
    elif step.scroll is not None:
        value = step.scroll
    else:
        selector = step.click or step.wait_for or ""
    timeout_s = (
        step.timeout.total_seconds() if step.timeout is not None else DEFAULT_ACTION_TIMEOUT_S
    )
    return Action(
        step.kind, selector=selector, value=value, optional=step.optional, timeout_s=timeout_s
    )


def target_url(source: SourceConfig, region_id: str, region: RegionConfig) -> str:
    """The source's URL for one region; raises ValueError if it does not expand to a URL."""
    url = expand_url(source.url, placeholder_values(region_id, region.locale))
    return check_url(url)


@dataclass(frozen=True)
class Config:
    """A whole validated sources.yaml. Build it with `load_config`."""

    file: str
    regions: Mapping[str, RegionConfig]
    defaults: DefaultsConfig
    browser: BrowserConfig
    sources: tuple[SourceConfig, ...]
    subscriptions: tuple[SubscriptionConfig, ...] = ()
    politeness: PolitenessConfig = field(default_factory=PolitenessConfig)
    # Where each value was written, so that checks made later (Apprise URLs and files, at the
    # alerts edge) still report the line and key path of what they reject.
    locations: Locations = field(default_factory=lambda: Locations({}), compare=False, repr=False)

    def targets(self) -> list[Target]:
        """Every target, in sources order, then in each source's regions order."""
        return [
            self._target(source, region_id)
            for source in self.sources
            for region_id in source.regions
        ]

    def select_targets(self, only: Sequence[str]) -> list[Target]:
        """The targets named by `only` (target ids like `fb-genai@fr` or whole sources like
        `fb-genai`; comma-separated lists are accepted), in config order, each once.

        Raises ConfigError with path `--only` for an unknown id, naming close matches.
        """
        wanted = [name.strip() for item in only for name in item.split(",") if name.strip()]
        targets = self.targets()
        known = [t.id for t in targets] + [s.id for s in self.sources]
        for name in wanted:
            if name not in known:
                raise ConfigError(self.file, None, "--only", _unknown_id_message(name, known))
        chosen = set(wanted)
        return [t for t in targets if t.id in chosen or t.source_id in chosen]

    def _target(self, source: SourceConfig, region_id: str) -> Target:
        region = self.regions[region_id]
        defaults = self.defaults
        return Target(
            id=f"{source.id}@{region_id}",
            source_id=source.id,
            region_id=region_id,
            title=source.title,
            url=target_url(source, region_id, region),
            region=region,
            select=tuple(source.select),
            remove=tuple(source.remove),
            wait_for=source.wait_for,
            actions=tuple(to_action(step) for step in source.actions),
            interval=source.interval if source.interval is not None else defaults.interval,
            timeout=source.timeout if source.timeout is not None else defaults.timeout,
            confirm=source.confirm if source.confirm is not None else defaults.confirm,
            tags=tuple(source.tags),
            removed_after=(
                source.removed_after if source.removed_after is not None else defaults.removed_after
            ),
        )


def _unknown_id_message(name: str, known: list[str]) -> str:
    guesses = [g for g in (closest(name, known),) if g]
    if "@" in name:
        # `fb-genai@xx`: the source exists but not in that region; list where it does.
        source_id = name.split("@", 1)[0]
        guesses += [k for k in known if k.startswith(f"{source_id}@") and k not in guesses]
    if guesses:
        return f"unknown target or source {name!r}; did you mean {', '.join(guesses[:5])}?"
    return f"unknown target or source {name!r} (run 'watcher validate' to list the targets)"
