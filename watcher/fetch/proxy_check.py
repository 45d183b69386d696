"""Why a page could not be fetched through a proxy, asked of the proxy itself.

Chromium reports a proxy's refusal vaguely: a wrong password on a CONNECT tunnel (every https://
page) comes back as `net::ERR_HTTP_RESPONSE_CODE_FAILURE`, the same error as a site's empty
error page. When a fetch through a proxy fails on the network, the fetcher asks the proxy the
same question once more from Python and names the failure from its answer. Messages show the
proxy by its `display`, never with the password.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
from urllib.parse import urlsplit

from watcher.fetch.proxy import Proxy
from watcher.fetch.socks5 import Socks5Error, open_tunnel

_STATUS_LINE_LIMIT = 8 * 1024


def proxy_refused(proxy: Proxy, how: str = "HTTP 407") -> str:
    """The failure detail for a proxy that answered 407 Proxy Authentication Required."""
    if proxy.scheme == "socks5":
        # Through the bridge, which answers 407 when the SOCKS5 proxy refuses its login.
        return f"SOCKS5 proxy {proxy.display} rejected the user name or password"
    if proxy.has_credentials:
        return f"proxy {proxy.display} refused the user name or password ({how})"
    return f"proxy {proxy.display} wants a user name and password ({how})"


async def diagnose_proxy(proxy: Proxy, url: str, *, timeout_s: float = 10.0) -> str | None:
    """Why `proxy` cannot carry a request for `url`; None when it can (the fault is elsewhere).

    It asks what the browser asked: a SOCKS5 tunnel, a CONNECT tunnel for https:// pages, or a
    HEAD for plain http:// pages.
    """
    target = urlsplit(url)
    host = target.hostname or ""
    try:
        port = target.port or (443 if target.scheme == "https" else 80)
    except ValueError:
        return None
    if proxy.scheme == "socks5":
        return await _diagnose_socks5(proxy, host, port, timeout_s)
    try:
        return await asyncio.wait_for(
            _diagnose_http(proxy, target.scheme, url, host, port), timeout_s
        )
    except TimeoutError:
        return f"proxy {proxy.display} did not answer within {timeout_s:g}s"


async def _diagnose_socks5(proxy: Proxy, host: str, port: int, timeout_s: float) -> str | None:
    try:
        _, writer = await open_tunnel(proxy, host, port, timeout_s=timeout_s)
    except Socks5Error as error:
        return str(error)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return None


async def _diagnose_http(proxy: Proxy, scheme: str, url: str, host: str, port: int) -> str | None:
    try:
        reader, writer = await asyncio.open_connection(
            proxy.host,
            proxy.effective_port,
            ssl=ssl.create_default_context() if proxy.scheme == "https" else None,
            limit=_STATUS_LINE_LIMIT,
        )
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return f"cannot reach proxy {proxy.display}: {reason}"
    try:
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        request_line = f"CONNECT {authority}" if scheme == "https" else f"HEAD {url}"
        headers = [f"{request_line} HTTP/1.1", f"Host: {authority}", "Connection: close"]
        if proxy.has_credentials:
            token = base64.b64encode(f"{proxy.username}:{proxy.password}".encode()).decode()
            headers.append(f"Proxy-Authorization: Basic {token}")
        writer.write(("\r\n".join(headers) + "\r\n\r\n").encode())
        await writer.drain()
        status_line = await reader.readline()
    except (OSError, asyncio.LimitOverrunError, ValueError):
        return f"proxy {proxy.display} closed the connection"
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
    parts = status_line.decode("latin-1").split()
    if len(parts) < 2 or not parts[1].isdigit():
        return f"proxy {proxy.display} did not answer as an HTTP proxy"
    status = int(parts[1])
    if status == 407:
        return proxy_refused(proxy, "HTTP 407" if scheme == "http" else "HTTP 407 to CONNECT")
    if scheme == "https" and not 200 <= status < 300:
        return f"proxy {proxy.display} refused a tunnel to {authority} (HTTP {status})"
    return None
