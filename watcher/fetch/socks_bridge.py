"""`Socks5Bridge`: lets Chromium use a SOCKS5 proxy that wants a user name and password.

Chromium speaks SOCKS5 only without authentication, and Playwright refuses socks5 credentials
outright ("Browser does not support socks5 proxy authentication"). So for such a proxy the
fetcher starts a bridge: an HTTP proxy on 127.0.0.1 (a free port) that Chromium is pointed at
instead, which carries every CONNECT tunnel and every plain-HTTP request through the real proxy
with RFC 1929 credentials. Host names go to the SOCKS5 proxy unresolved, so they are resolved
where the region's exit is, as Chromium does with a socks5:// proxy.

The bridge wants credentials of its own (random, per bridge, given to Chromium like any HTTP
proxy's): without them any local user could ride on the account behind it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from watcher.fetch.proxy import Proxy
from watcher.fetch.socks5 import Socks5Error, open_tunnel

log = logging.getLogger(__name__)

_HEAD_LIMIT = 64 * 1024
_COPY_CHUNK = 64 * 1024
# Headers about the hop between Chromium and the bridge; the origin never sees them.
_HOP_BY_HOP = frozenset({"proxy-authorization", "proxy-connection", "connection", "keep-alive"})
_REALM = "watcher SOCKS5 bridge"


class _BadRequestError(Exception):
    pass


class Socks5Bridge:
    """A loopback HTTP proxy in front of one authenticated SOCKS5 proxy; start, use, close."""

    def __init__(self, upstream: Proxy, *, connect_timeout_s: float = 30.0) -> None:
        if upstream.scheme != "socks5":
            raise ValueError("a SOCKS5 bridge needs a socks5:// proxy")
        self.upstream = upstream
        self.connect_timeout_s = connect_timeout_s
        self._username = "watcher"
        self._password = secrets.token_urlsafe(24)
        token = base64.b64encode(f"{self._username}:{self._password}".encode()).decode()
        self._expected_authorization = f"Basic {token}".encode()
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.tunnels_opened = 0

    async def start(self) -> Proxy:
        """Starts listening; returns the proxy Chromium is to be given instead of `upstream`."""
        if self._server is None:
            self._server = await asyncio.start_server(
                self._accept, "127.0.0.1", 0, limit=_HEAD_LIMIT
            )
        return self.browser_proxy

    @property
    def browser_proxy(self) -> Proxy:
        if self._server is None:
            raise RuntimeError("the SOCKS5 bridge is not started")
        port = int(self._server.sockets[0].getsockname()[1])
        return Proxy(
            "http",
            "127.0.0.1",
            port,
            username=self._username,
            password=self._password,
            bypass=self.upstream.bypass,
        )

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await server.wait_closed()

    # ---- one client connection ----------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the browser went away or sent garbage: nothing to answer
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Chromium first asks without credentials and repeats the request on the same
        # connection after the 407, so the connection is read until a request is carried.
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            try:
                method, target, headers = _parse_head(head)
            except _BadRequestError as error:
                await _answer(writer, 400, "Bad Request", str(error), close=True)
                return
            if not self._authorized(headers):
                await _discard_body(reader, headers)
                await _answer(
                    writer,
                    407,
                    "Proxy Authentication Required",
                    "",
                    extra=f'Proxy-Authenticate: Basic realm="{_REALM}"\r\n',
                )
                continue
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, headers, reader, writer)
            return

    def _authorized(self, headers: list[tuple[str, str]]) -> bool:
        given = next((v for k, v in headers if k.lower() == "proxy-authorization"), "")
        return hmac.compare_digest(given.strip().encode(), self._expected_authorization)

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, port = _authority(target, default_port=443)
        upstream = await self._open(host, port, writer, tunnel=True)
        if upstream is None:
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await _relay(reader, writer, *upstream)

    async def _forward(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            await _answer(writer, 400, "Bad Request", "expected an http:// URL", close=True)
            return
        try:
            port = parts.port or 80
        except ValueError:
            await _answer(writer, 400, "Bad Request", "bad port", close=True)
            return
        upstream = await self._open(parts.hostname, port, writer, tunnel=False)
        if upstream is None:
            return
        upstream_reader, upstream_writer = upstream
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # One request per connection: the origin closes after its answer, and so does the
        # bridge, which saves parsing every response's framing to keep connections alive.
        lines = [f"{method} {path} HTTP/1.1"]
        lines += [f"{k}: {v}" for k, v in headers if k.lower() not in _HOP_BY_HOP]
        lines.append("Connection: close")
        upstream_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await upstream_writer.drain()
        await _relay(reader, writer, upstream_reader, upstream_writer, mark_closing=True)

    async def _open(
        self, host: str, port: int, writer: asyncio.StreamWriter, *, tunnel: bool
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """A tunnel to host:port, or None once the browser has been told there is none."""
        try:
            opened = await open_tunnel(self.upstream, host, port, timeout_s=self.connect_timeout_s)
        except Socks5Error as error:
            log.debug("SOCKS5 bridge: %s", error)
            if error.auth_rejected:
                # What an HTTP proxy says when its login fails: the browser gives up on it and
                # the fetcher names the failure; the bridge's own login is not what failed.
                await _answer(writer, 407, "Proxy Authentication Required", str(error), close=True)
            elif tunnel:
                await _answer(writer, 502, "Bad Gateway", str(error), close=True)
            # A plain request gets no answer at all: Chromium would show a 502 as the page and
            # wait for its content; a connection closed unanswered is a network error, which
            # the fetcher then traces to the SOCKS5 proxy.
            return None
        self.tunnels_opened += 1
        return opened


def _parse_head(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    try:
        text = head.decode("latin-1")
        request_line, *header_lines = text[:-4].split("\r\n")
        method, target, version = request_line.split(" ")
    except ValueError:
        raise _BadRequestError("malformed request line") from None
    if not version.startswith("HTTP/1."):
        raise _BadRequestError("only HTTP/1.x")
    headers: list[tuple[str, str]] = []
    for line in header_lines:
        name, separator, value = line.partition(":")
        if not separator or not name.strip():
            raise _BadRequestError("malformed header line")
        headers.append((name.strip(), value.strip()))
    return method, target, headers


def _authority(target: str, *, default_port: int) -> tuple[str, int]:
    parts = urlsplit(f"//{target}")
    try:
        port = parts.port or default_port
    except ValueError:
        port = default_port
    return parts.hostname or "", port


def _closing(response_head: bytes) -> bytes:
    """The origin's response head, marked as the last on this connection."""
    lines = response_head[:-4].split(b"\r\n")
    kept = [lines[0]] + [
        line
        for line in lines[1:]
        if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")
    ]
    return b"\r\n".join([*kept, b"Connection: close", b"", b""])


async def _discard_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> None:
    length = next((v for k, v in headers if k.lower() == "content-length"), "0")
    if length.isdigit() and int(length) > 0:
        await reader.readexactly(int(length))


async def _answer(
    writer: asyncio.StreamWriter,
    status: int,
    reason: str,
    body: str,
    *,
    close: bool = False,
    extra: str = "",
) -> None:
    payload = (body + "\n").encode() if body else b""
    head = (
        f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(payload)}\r\n" + ("Connection: close\r\n" if close else "") + "\r\n"
    )
    writer.write(head.encode("latin-1") + payload)
    await writer.drain()


async def _relay(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
    *,
    mark_closing: bool = False,
) -> None:
    """Copies bytes both ways until the upstream side is done; `mark_closing` rewrites the
    response head first so that the browser does not reuse the connection."""
    # The request body (if any) flows while the answer is awaited.
    uploading = asyncio.create_task(_copy(client_reader, upstream_writer))
    try:
        if mark_closing:
            response_head = await upstream_reader.readuntil(b"\r\n\r\n")
            client_writer.write(_closing(response_head))
            await client_writer.drain()
        await _copy(upstream_reader, client_writer)
    finally:
        uploading.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await uploading
        upstream_writer.close()
        with contextlib.suppress(OSError):
            await upstream_writer.wait_closed()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(_COPY_CHUNK):
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof():
        with contextlib.suppress(OSError):
            writer.write_eof()
