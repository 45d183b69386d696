"""`SimulatedMetaSite`: the simulated pages over HTTP, one listener per region.

Meta picks the legal text from the visitor's IP. Here the main listener serves the default
region and each region has an "egress" listener that behaves as an HTTP forward proxy: a
browser context configured with `proxy={"server": site.egress_proxy("fr")}` sends
`GET http://127.0.0.1:MAIN/privacy/genai/ HTTP/1.1` to it and gets the French-IP variant. The
egress never connects anywhere: it serves the page itself, and refuses any other host.
With `egress_credentials`, every egress wants them in `Proxy-Authorization` (407 otherwise).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import quote

from watcher.simsite.catalog import PAGES
from watcher.simsite.egress_auth import AuthOutcome, EgressAuthLog, EgressCredentials
from watcher.simsite.handler import Listener
from watcher.simsite.modes import Mode
from watcher.simsite.noise import NoiseOptions
from watcher.simsite.state import SiteState

DEFAULT_REGIONS: tuple[str, ...] = ("fr", "de", "uk", "us", "br")


class SimulatedMetaSite:
    """The simulated Meta site; `start()`/`stop()` or use it as a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        regions: Iterable[str] = DEFAULT_REGIONS,
        default_region: str = "us",
        render_delay_ms: int = 150,
        *,
        seed: int | str | None = None,
        noise: NoiseOptions = NoiseOptions(),  # noqa: B008 - frozen value object
        initial_version: int = 0,
        egress_port_start: int | None = None,
        log_requests: bool = False,
        egress_credentials: EgressCredentials | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.regions = tuple(dict.fromkeys(region.lower() for region in regions))
        self.default_region = default_region.lower()
        self.render_delay_ms = render_delay_ms
        self.seed = "0" if seed is None else str(seed)
        self.noise = noise
        self.egress_port_start = egress_port_start
        self.log_requests = log_requests
        # None: the egress proxies are open, as they always were.
        self.egress_credentials = egress_credentials
        self.egress_auth_log = EgressAuthLog()
        known_regions = (*self.regions, self.default_region)
        self._state = SiteState(PAGES, tuple(dict.fromkeys(known_regions)), initial_version)
        self._stopping = threading.Event()
        self._main: Listener | None = None
        self._egress: dict[str, Listener] = {}
        self._threads: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> SimulatedMetaSite:
        if self._main is not None:
            raise RuntimeError("the simulated site is already running")
        self._stopping.clear()
        try:
            self._main = Listener((self.host, self.port), self, self.default_region)
            for index, region in enumerate(self.regions):
                port = 0 if self.egress_port_start is None else self.egress_port_start + index
                self._egress[region] = Listener((self.host, port), self, region, egress=True)
        except OSError:
            self._close_listeners()
            raise
        for listener in (self._main, *self._egress.values()):
            thread = threading.Thread(
                target=listener.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"simsite-{listener.region}-{listener.server_address[1]}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop every listener; requests held open by the `hang` mode are released first."""
        if self._main is None:
            return
        self._stopping.set()
        for listener in (self._main, *self._egress.values()):
            listener.shutdown()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        self._close_listeners()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def _close_listeners(self) -> None:
        for listener in (self._main, *self._egress.values()):
            if listener is not None:
                listener.server_close()
        self._main = None
        self._egress = {}

    def __enter__(self) -> SimulatedMetaSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- addresses ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` of the main listener (the default region)."""
        if self._main is None:
            raise RuntimeError("the simulated site is not running")
        host, port = self._main.server_address[:2]
        return f"http://{_url_host(str(host))}:{port}"

    def egress_proxy(self, region_id: str, *, with_credentials: bool = False) -> str:
        """Proxy URL that makes requests look as if they came from `region_id`.

        `with_credentials` puts the site's egress user name and password in it, percent-encoded,
        as a user writes them in `sources.yaml`.
        """
        listener = self._egress.get(region_id.lower())
        if listener is None:
            if self._main is None:
                raise RuntimeError("the simulated site is not running")
            raise KeyError(f"no egress for region {region_id!r} (known: {', '.join(self.regions)})")
        host, port = listener.server_address[:2]
        userinfo = ""
        if with_credentials and self.egress_credentials is not None:
            credentials = self.egress_credentials
            userinfo = f"{quote(credentials.username, safe='')}:"
            userinfo += f"{quote(credentials.password, safe='')}@"
        return f"http://{userinfo}{_url_host(str(host))}:{port}"

    def egress_auth_counts(self, region_id: str) -> dict[AuthOutcome, int]:
        """Requests the region's egress saw with no, wrong and right proxy credentials."""
        return self.egress_auth_log.counts(region_id.lower())

    def egress_proxies(self) -> dict[str, str]:
        return {region: self.egress_proxy(region) for region in self.regions}

    def url(self, page_id: str, **query: str) -> str:
        """Absolute URL of a page on the main listener, e.g. `site.url("genai", locale="fr_FR")`."""
        spec = PAGES[page_id]
        suffix = "?" + "&".join(f"{key}={quote(value)}" for key, value in query.items())
        return self.base_url + spec.path + (suffix if query else "")

    # ---- control (same operations as /__sim__/) -------------------------------------------

    def advance(self, page_id: str | None = None) -> dict[str, int]:
        return self._state.advance(page_id)

    def set_version(self, page_id: str | None, version: int) -> dict[str, int]:
        return self._state.set_version(page_id, version)

    def set_mode(self, page_id: str | None, mode: Mode | str, region: str | None = None) -> None:
        self._state.set_mode(page_id, mode, region.lower() if region else None)

    def reset(self) -> None:
        self._state.reset()

    def state(self) -> dict[str, Any]:
        return self._state.snapshot()

    def version_of(self, page_id: str) -> int:
        return self._state.version_of(page_id)

    def request_count(self, page_id: str, region: str | None = None) -> int:
        return self._state.request_count(page_id, region)

    def wait_for_requests(
        self, page_id: str, count: int, region: str | None = None, timeout_s: float = 30
    ) -> bool:
        """Block until the page has been requested `count` times in all (or from `region`);
        False when `timeout_s` passed first."""
        return self._state.wait_for_requests(page_id, count, region, timeout_s)

    # ---- used by the handler ----------------------------------------------------------------

    @property
    def site_state(self) -> SiteState:
        return self._state

    @property
    def stopping(self) -> threading.Event:
        return self._stopping

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
