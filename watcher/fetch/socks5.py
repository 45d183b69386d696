"""A SOCKS5 client for one thing: a CONNECT tunnel with a user name and password.

RFC 1928 (the protocol) and RFC 1929 (user name/password authentication). Chromium speaks
SOCKS5 without authentication only, so watcher does this part itself (see `socks_bridge`).
Error messages name the proxy by its `display`, never with the password.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct

from watcher.fetch.proxy import Proxy

_VERSION = 0x05
_NO_AUTH = 0x00
_USER_PASSWORD = 0x02
_NO_ACCEPTABLE_METHOD = 0xFF
_USER_PASSWORD_VERSION = 0x01
_CONNECT = 0x01
_IPV4, _DOMAIN, _IPV6 = 0x01, 0x03, 0x04

# RFC 1928 §6, the REP field of a reply.
_REPLIES = {
    0x01: "general SOCKS server failure",
    0x02: "connection not allowed by ruleset",
    0x03: "network unreachable",
    0x04: "host unreachable",
    0x05: "connection refused",
    0x06: "TTL expired",
    0x07: "command not supported",
    0x08: "address type not supported",
}


class Socks5Error(Exception):
    """The SOCKS5 proxy could not give a tunnel; `auth_rejected` when it refused the login."""

    def __init__(self, message: str, *, auth_rejected: bool = False) -> None:
        super().__init__(message)
        self.auth_rejected = auth_rejected


async def open_tunnel(
    proxy: Proxy, host: str, port: int, *, timeout_s: float = 30.0
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to `host:port` through `proxy`, ready to carry bytes either way.

    `host` may be a name: it is resolved by the proxy, where the region's exit is, as Chromium
    does with a socks5:// proxy.
    """
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(proxy.host, proxy.effective_port), timeout_s
        )
    except TimeoutError:
        raise Socks5Error(f"SOCKS5 proxy {proxy.display} did not answer in time") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise Socks5Error(f"cannot reach SOCKS5 proxy {proxy.display}: {reason}") from None
    try:
        await asyncio.wait_for(_handshake(reader, writer, proxy, host, port), timeout_s)
    except BaseException as error:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        if isinstance(error, TimeoutError):
            raise Socks5Error(f"SOCKS5 proxy {proxy.display} did not answer in time") from None
        if isinstance(error, asyncio.IncompleteReadError | ConnectionError):
            raise Socks5Error(f"SOCKS5 proxy {proxy.display} closed the connection") from None
        raise
    return reader, writer


async def _handshake(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, proxy: Proxy, host: str, port: int
) -> None:
    methods = bytes([_USER_PASSWORD, _NO_AUTH]) if proxy.has_credentials else bytes([_NO_AUTH])
    writer.write(bytes([_VERSION, len(methods)]) + methods)
    await writer.drain()
    version, method = await reader.readexactly(2)
    if version != _VERSION:
        raise Socks5Error(f"{proxy.display} is not a SOCKS5 proxy")
    if method == _USER_PASSWORD and proxy.has_credentials:
        await _login(reader, writer, proxy)
    elif method != _NO_AUTH:
        raise Socks5Error(
            f"SOCKS5 proxy {proxy.display} {_refused_method(method, proxy)}", auth_rejected=True
        )
    writer.write(bytes([_VERSION, _CONNECT, 0x00]) + _address(host) + struct.pack("!H", port))
    await writer.drain()
    version, reply, _, address_type = await reader.readexactly(4)
    if reply != 0x00:
        reason = _REPLIES.get(reply, f"reply {reply:#04x}")
        raise Socks5Error(f"SOCKS5 proxy {proxy.display} could not connect: {reason}")
    # The bound address is of no use to a tunnel; it is read only to reach the data.
    if address_type == _DOMAIN:
        (length,) = await reader.readexactly(1)
        await reader.readexactly(length + 2)
    else:
        await reader.readexactly((16 if address_type == _IPV6 else 4) + 2)


def _refused_method(method: int, proxy: Proxy) -> str:
    if method == _USER_PASSWORD:
        return "wants a user name and password"
    if method != _NO_ACCEPTABLE_METHOD:
        return f"wants a login method watcher does not speak ({method:#04x})"
    if proxy.has_credentials:
        return "accepts neither a user name and password nor no login"
    return "wants a login (a user name and password?)"


async def _login(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, proxy: Proxy) -> None:
    username, password = proxy.username.encode(), proxy.password.encode()
    writer.write(
        bytes([_USER_PASSWORD_VERSION, len(username)])
        + username
        + bytes([len(password)])
        + password
    )
    await writer.drain()
    _, status = await reader.readexactly(2)
    if status != 0x00:
        raise Socks5Error(
            f"SOCKS5 proxy {proxy.display} rejected the user name or password", auth_rejected=True
        )


def _address(host: str) -> bytes:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:
            name = host.encode("idna")
        except UnicodeError:
            name = b""
        if not 0 < len(name) <= 255:
            raise Socks5Error("a host name SOCKS5 cannot carry") from None
        return bytes([_DOMAIN, len(name)]) + name
    kind = _IPV4 if ip.version == 4 else _IPV6
    return bytes([kind]) + ip.packed
