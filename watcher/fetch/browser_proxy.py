"""What the browser is told about a region's proxy.

Playwright wants the user name and password apart from the server (it drops credentials written
in the server URL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from watcher.fetch.proxy import Proxy

if TYPE_CHECKING:
    from playwright.async_api import ProxySettings


class BrowserProxies:
    """The proxies of one fetcher's browser contexts."""

    async def settings_for(self, proxy: Proxy) -> ProxySettings:
        return playwright_proxy(proxy)

    async def close(self) -> None:
        pass


def playwright_proxy(proxy: Proxy) -> ProxySettings:
    """Playwright's form of `proxy`: credentials apart from the server."""
    settings: ProxySettings = {"server": proxy.server}
    if proxy.has_credentials:
        settings["username"] = proxy.username
        settings["password"] = proxy.password
    if proxy.bypass:
        settings["bypass"] = proxy.bypass
    return settings
