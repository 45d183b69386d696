"""sources.yaml: strict validation with file/line/path errors, the targets and subscriptions it
defines."""

from watcher.config.durations import format_duration, parse_duration
from watcher.config.loader import load_config, parse_config
from watcher.config.locations import InvalidConfigError
from watcher.config.models import (
    ActionConfig,
    BrowserConfig,
    DefaultsConfig,
    HostPolitenessConfig,
    PolitenessConfig,
    RegionConfig,
    SourceConfig,
)
from watcher.config.subscriptions import FINDING_KINDS, SubscriptionConfig
from watcher.config.targets import Config, Target

__all__ = [
    "FINDING_KINDS",
    "ActionConfig",
    "BrowserConfig",
    "Config",
    "DefaultsConfig",
    "HostPolitenessConfig",
    "InvalidConfigError",
    "PolitenessConfig",
    "RegionConfig",
    "SourceConfig",
    "SubscriptionConfig",
    "Target",
    "format_duration",
    "load_config",
    "parse_config",
    "parse_duration",
]
