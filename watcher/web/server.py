"""Serving the web app: uvicorn in a thread of its own, on a socket bound beforehand.

Binding first makes a busy or forbidden address a one-line `WatcherError` of ours instead of
uvicorn's log and exit. `watcher serve`, `watcher run` and `watcher demo` all serve this way.
"""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING

import uvicorn

from watcher.errors import WatcherError
from watcher.web.context import TargetSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from watcher.config import Config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


def target_settings(config: Config) -> dict[str, TargetSettings]:
    """Each configured target's check interval and its region's locale."""
    return {
        target.id: TargetSettings(
            interval=target.interval, locale=config.regions[target.region_id].locale
        )
        for target in config.targets()
    }


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.ready.set()


class WebServer:
    """`start()` returns once the app answers; `stop()` lets requests in flight finish."""

    def __init__(self, app: FastAPI, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, *, any_port_if_busy: bool = False) -> str:
        """Serve in the background; the address. `any_port_if_busy`: a free port when the
        asked one is taken (for `run` and `demo` with their default port)."""
        listener = self._bind(any_port_if_busy)
        self.port = listener.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=STOP_TIMEOUT_S,
        )
        server = _Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name="web", daemon=True
        )
        self._thread.start()
        if not server.ready.wait(START_TIMEOUT_S) or not server.started:
            self.stop()
            raise WatcherError(f"the web app did not start on {self.url}")
        return self.url

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S + 5)

    def _bind(self, any_port_if_busy: bool) -> socket.socket:
        try:
            return _listening_socket(self.host, self.port)
        except OSError as error:
            if any_port_if_busy and self.port != 0:
                try:
                    return _listening_socket(self.host, 0)
                except OSError:
                    pass
            reason = error.strerror or str(error)
            raise WatcherError(f"cannot serve the web app on {self.url}: {reason}") from error


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it. uvicorn does not set it on a socket it is handed,
        # and without it a reply written in two parts waits for the client's delayed ACK:
        # ~40 ms on every request of a kept-alive connection.
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener
