"""sources.yaml: strict validation with file/line/path errors, and the targets it defines."""

from watcher.config.durations import format_duration, parse_duration
from watcher.config.loader import load_config, parse_config
from watcher.config.locations import InvalidConfigError
from watcher.config.models import (
    ActionConfig,
    BrowserConfig,
    DefaultsConfig,
    RegionConfig,
    SourceConfig,
)
from watcher.config.targets import Config, Target

__all__ = [
    "ActionConfig",
    "BrowserConfig",
    "Config",
    "DefaultsConfig",
    "InvalidConfigError",
    "RegionConfig",
    "SourceConfig",
    "Target",
    "format_duration",
    "load_config",
    "parse_config",
    "parse_duration",
]
