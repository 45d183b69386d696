"""A real SOCKS5 server on loopback for the tests: user name/password only (RFC 1928/1929).

It refuses clients that offer no user name/password login (as rented proxies do), rejects
wrong credentials, and connects only to loopback. `exit_to` stands for where the proxy's exit
is: requests for the simulated site's main listener can be sent to a region's egress, as a proxy
in France makes the site see a French address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import selectors
import socket
import socketserver
import struct
import threading
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from urllib.parse import quote

Address = tuple[str, int]


class Socks5Server:
    def __init__(
        self,
        username: str,
        password: str,
        *,
        exit_to: Callable[[Address], Address] | None = None,
    ) -> None:
        self.username = username.encode()
        self.password = password.encode()
        self.exit_to = exit_to or (lambda address: address)
        self.counts: Counter[str] = Counter()
        self.destinations: list[Address] = []
        self._lock = threading.Lock()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, username: str | None = None, password: str | None = None) -> str:
        user = quote(self.username.decode() if username is None else username, safe="")
        secret = quote(self.password.decode() if password is None else password, safe="")
        return f"socks5://{user}:{secret}@127.0.0.1:{self.port}"

    def __enter__(self) -> Socks5Server:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _handle(self, client: socket.socket) -> None:
        reader = _Exact(client)
        try:
            version, count = reader.read(2)
            methods = reader.read(count)
            if version != 5 or 0x02 not in methods:
                self._count("no_acceptable_method")
                client.sendall(b"\x05\xff")
                return
            client.sendall(b"\x05\x02")
            _, length = reader.read(2)
            username = reader.read(length)
            (length,) = reader.read(1)
            password = reader.read(length)
            if (username, password) != (self.username, self.password):
                self._count("rejected")
                client.sendall(b"\x01\x01")
                return
            self._count("accepted")
            client.sendall(b"\x01\x00")
            _, command, _, address_type = reader.read(4)
            if address_type == 1:
                host = str(ipaddress.IPv4Address(reader.read(4)))
            elif address_type == 4:
                host = str(ipaddress.IPv6Address(reader.read(16)))
            else:
                (length,) = reader.read(1)
                host = reader.read(length).decode()
            (port,) = struct.unpack("!H", reader.read(2))
            destination = self.exit_to((host, port))
            with self._lock:
                self.destinations.append((host, port))
            if command != 1 or destination[0] not in ("127.0.0.1", "localhost", "::1"):
                client.sendall(b"\x05\x02\x00\x01" + bytes(6))  # not allowed by ruleset
                return
            try:
                upstream = socket.create_connection(destination, timeout=10)
            except OSError:
                client.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
                return
            client.sendall(b"\x05\x00\x00\x01" + bytes(6))
            with upstream:
                _pipe(client, upstream)
        except (OSError, ValueError):
            return


class _Exact:
    """Reads exactly n bytes from a socket, with nothing read ahead (the tunnel follows)."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection

    def read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.connection.recv(size - len(data))
            if not chunk:
                raise ValueError("client closed the connection")
            data += chunk
        return data


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    client.settimeout(None)
    upstream.settimeout(None)
    with selectors.DefaultSelector() as selector:
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        while True:
            for key, _ in selector.select():
                source = key.fileobj
                assert isinstance(source, socket.socket)
                data = source.recv(65536)
                if not data:
                    return
                with contextlib.suppress(OSError):
                    key.data.sendall(data)
