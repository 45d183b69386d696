"""What the browser is told about a region's proxy, and what it is told on failure.

Playwright wants the user name and password apart from the server (it drops credentials written
in the server URL). A SOCKS5 proxy with a password goes through a loopback `Socks5Bridge`, since
Chromium cannot log in to one. When a fetch through a proxy fails on the network, the proxy is
asked why, so that the check is named `proxy_error` with a reason a person can act on.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from watcher.fetch.base import FailureKind, FetchFailure, FetchRequest
from watcher.fetch.proxy import Proxy
from watcher.fetch.proxy_check import diagnose_proxy
from watcher.fetch.socks_bridge import Socks5Bridge

if TYPE_CHECKING:
    from playwright.async_api import ProxySettings

DIAGNOSIS_TIMEOUT_S = 10.0


class BrowserProxies:
    """The proxies of one fetcher's browser contexts; `close()` stops the bridges it started."""

    def __init__(self) -> None:
        # One bridge per SOCKS5 proxy and account, shared by every context that uses it.
        self._bridges: dict[Proxy, Socks5Bridge] = {}

    async def settings_for(self, proxy: Proxy) -> ProxySettings:
        if proxy.scheme == "socks5" and proxy.has_credentials:
            bridge = self._bridges.get(proxy)
            if bridge is None:
                bridge = self._bridges[proxy] = Socks5Bridge(proxy)
            proxy = await bridge.start()
        return playwright_proxy(proxy)

    def bridge_for(self, proxy: Proxy) -> Socks5Bridge | None:
        return self._bridges.get(proxy)

    async def close(self) -> None:
        bridges, self._bridges = list(self._bridges.values()), {}
        for bridge in bridges:
            await bridge.close()


def playwright_proxy(proxy: Proxy) -> ProxySettings:
    """Playwright's form of `proxy`: credentials apart from the server."""
    settings: ProxySettings = {"server": proxy.server}
    if proxy.has_credentials:
        settings["username"] = proxy.username
        settings["password"] = proxy.password
    if proxy.bypass:
        settings["bypass"] = proxy.bypass
    return settings


async def blame_proxy(request: FetchRequest, failure: FetchFailure) -> FetchFailure:
    """A network failure renamed `proxy_error`, with the proxy's reason, when the proxy is at
    fault; any other failure unchanged."""
    if request.proxy is None or failure.kind is not FailureKind.NETWORK_ERROR:
        return failure
    timeout_s = min(DIAGNOSIS_TIMEOUT_S, request.timeout_s)
    reason = await diagnose_proxy(request.proxy, request.url, timeout_s=timeout_s)
    if reason is None:
        return failure
    return replace(failure, kind=FailureKind.PROXY_ERROR, detail=f"{reason}; {failure.detail}")
