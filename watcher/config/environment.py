"""Region proxies from the environment: `WATCHER_PROXY_FR=socks5://user:pass@host:1080` gives
region `fr` that proxy, whatever sources.yaml says, so a container's proxy (and its password)
can stay out of the file. An empty value leaves the file's setting."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from watcher.config.targets import Config
from watcher.errors import ConfigError
from watcher.fetch.proxy import Proxy

PREFIX = "WATCHER_PROXY_"


def proxy_variable(region_id: str) -> str:
    return PREFIX + region_id.upper().replace("-", "_")


def with_proxy_environment(config: Config, environ: Mapping[str, str]) -> Config:
    """`config` with each region's proxy taken from its WATCHER_PROXY_<REGION>, where set."""
    regions = dict(config.regions)
    changed = False
    for region_id, region in config.regions.items():
        name = proxy_variable(region_id)
        value = environ.get(name, "").strip()
        if not value:
            continue
        try:
            proxy = Proxy.from_url(value)
        except ValueError as error:  # its message never quotes the URL (nor its password)
            raise ConfigError(name, None, "", str(error)) from None
        regions[region_id] = region.model_copy(update={"proxy": proxy})
        changed = True
    if not changed:
        return config
    return dataclasses.replace(config, regions=MappingProxyType(regions))
