"""The HTTP side of the simulated site: one listener per region and the request handler.

Every listener (the main one and each region's egress) answers the same way; the region it
stands for decides the legal variant. Egress listeners accept absolute-URI request lines as a
forward proxy does, but only for the simulated site itself: they never open a connection.
When the site has egress credentials, an egress asks for them (407) before anything else.
"""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from watcher.simsite.catalog import PAGES, page_for_path
from watcher.simsite.modes import Mode
from watcher.simsite.render import CONSENT_COOKIE, render_page
from watcher.simsite.text import resolve_locale
from watcher.simsite.walls import (
    render_blocked_page,
    render_leaving_page,
    render_login_page,
    render_status_page,
)

if TYPE_CHECKING:
    from watcher.simsite.server import SimulatedMetaSite

# A 1×1 transparent GIF for the signed CDN image URLs.
_PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
_HTML = "text/html; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"


class Listener(ThreadingHTTPServer):
    """One listening socket: the main site or a region's egress."""

    daemon_threads = True
    # The stock server joins every handler thread on close, which would wait for idle
    # keep-alive connections; the site shuts those sockets down itself instead.
    block_on_close = False
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        site: SimulatedMetaSite,
        region: str,
        *,
        egress: bool = False,
    ) -> None:
        self.site = site
        self.region = region
        self.egress = egress
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "simsite"
    sys_version = ""
    timeout = 120
    server: Listener

    # ---- plumbing ---------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.server.site.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.site.track(self.connection, open_=False)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.site.log_requests:
            super().log_message(format, *args)

    def _send(
        self,
        status: int,
        body: bytes | str,
        content_type: str = _HTML,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        payload = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "private, no-cache, no-store, must-revalidate")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _send_json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value, indent=2) + "\n", "application/json")

    def _discard_body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)

    # ---- methods --------------------------------------------------------------------------

    def do_GET(self) -> None:
        if self._proxy_authorized():
            self._route()

    def do_HEAD(self) -> None:
        if self._proxy_authorized():
            self._route()

    def do_POST(self) -> None:
        self._discard_body()
        if self._proxy_authorized():
            self._route()

    def do_CONNECT(self) -> None:
        if not self._proxy_authorized():
            return
        # HTTPS tunnels would lead off this machine; the simulated site is plain HTTP.
        self.close_connection = True
        self._send(
            405,
            "The simulated site's egress proxies only carry plain HTTP.\n",
            _TEXT,
        )

    def _proxy_authorized(self) -> bool:
        """True when this request may pass; otherwise a 407 has been sent."""
        credentials = self.server.site.egress_credentials
        if not self.server.egress or credentials is None:
            return True
        outcome = credentials.judge(self.headers.get("Proxy-Authorization"))
        self.server.site.egress_auth_log.record(self.server.region, outcome)
        if outcome == "accepted":
            return True
        self._send(
            407,
            "Proxy authentication required.\n",
            _TEXT,
            {"Proxy-Authenticate": credentials.challenge()},
        )
        return False

    # ---- routing --------------------------------------------------------------------------

    def _route(self) -> None:
        target = urlsplit(self.path)
        if target.scheme and not self._is_our_site(target.netloc):
            # A forward proxy would fetch this; ours must never reach beyond the simulated site.
            self._send(502, "This egress only reaches the simulated site.\n", _TEXT)
            return
        path = target.path or "/"
        query = {key: values[-1] for key, values in parse_qs(target.query).items()}
        if path.startswith("/__sim__/"):
            self._control(path.removeprefix("/__sim__/").strip("/"), query)
        elif path.startswith("/rsrc.php/"):
            kind = "text/css" if path.endswith(".css") else "application/javascript"
            self._send(
                200, "/* simulated asset */\n", kind, {"Cache-Control": "public, max-age=31536000"}
            )
        elif path.startswith("/cdn/"):
            self._send(200, _PIXEL, "image/gif")
        elif path == "/l.php":
            leaving = render_leaving_page(locale=self._locale(query), target=query.get("u", ""))
            self._send(200, leaving)
        elif path.rstrip("/") == "/login":
            self._send(
                200, render_login_page(locale=self._locale(query), next_url=query.get("next", ""))
            )
        else:
            spec = page_for_path(path)
            if spec is None:
                self._send(404, render_status_page(404, locale=self._locale(query)))
            else:
                self._page(
                    spec.page_id, target.path + (f"?{target.query}" if target.query else ""), query
                )

    def _is_our_site(self, netloc: str) -> bool:
        site = self.server.site
        target = urlsplit(f"http://{netloc}")
        try:
            port = target.port or 80
        except ValueError:
            return False
        ours = [urlsplit(site.base_url), *(urlsplit(p) for p in site.egress_proxies().values())]
        loopback = {"127.0.0.1", "localhost", "::1", site.host}
        return any(port == url.port for url in ours) and (target.hostname or "") in loopback

    def _locale(self, query: Mapping[str, str]) -> str:
        return resolve_locale(
            query.get("locale") or query.get("locale2"), self.headers.get("Accept-Language")
        )

    def _base_url(self) -> str:
        target = urlsplit(self.path)
        host = target.netloc or self.headers.get("Host")
        return f"http://{host}" if host else self.server.site.base_url

    def _consent_given(self) -> bool:
        try:
            cookie = SimpleCookie(self.headers.get("Cookie") or "")
        except CookieError:
            return False
        return CONSENT_COOKIE in cookie

    # ---- pages ----------------------------------------------------------------------------

    def _page(self, page_id: str, original: str, query: Mapping[str, str]) -> None:
        site = self.server.site
        region = self.server.region
        number = site.site_state.next_request(page_id, region)
        mode = site.site_state.mode_for(page_id, region)
        locale = self._locale(query)
        if mode == Mode.LOGIN_WALL:
            self._send(302, "", headers={"Location": f"/login/?next={quote(original, safe='')}"})
            return
        if mode == Mode.RATE_LIMITED:
            self._send(429, render_status_page(429, locale=locale), headers={"Retry-After": "60"})
            return
        if mode == Mode.BLOCKED:
            self._send(200, render_blocked_page(locale=locale))
            return
        if mode == Mode.HTTP_ERROR:
            self._send(500, render_status_page(500, locale=locale))
            return
        if mode == Mode.HANG:
            self._hang()
            return
        version = site.site_state.version_of(page_id)
        document = render_page(
            page_id,
            version=version,
            region=region,
            locale=locale,
            rng=random.Random(f"{site.seed}:{number}"),
            noise=site.noise,
            mode=mode,
            consent_given=self._consent_given(),
            base_url=self._base_url(),
            render_delay_ms=site.render_delay_ms,
        )
        published = version >= PAGES[page_id].since_version
        self._send(200 if published else 404, document)

    def _hang(self) -> None:
        """Start an answer and never finish it, until the site stops."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", _HTML)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<!DOCTYPE html>\n<html><head><title>")
        self.wfile.flush()
        self.server.site.stopping.wait()

    # ---- control API ------------------------------------------------------------------------

    def _control(self, operation: str, query: Mapping[str, str]) -> None:
        site = self.server.site
        if operation == "state":
            self._send_json(200, site.state())
            return
        if self.command != "POST":
            self._send_json(405, {"error": f"use POST for /__sim__/{operation}"})
            return
        page = query.get("page") or None
        try:
            if operation == "advance":
                self._send_json(200, {"versions": site.advance(page)})
            elif operation == "version":
                if "v" not in query:
                    raise ValueError("missing v=N")
                self._send_json(200, {"versions": site.set_version(page, int(query["v"]))})
            elif operation == "mode":
                if "mode" not in query:
                    raise ValueError("missing mode=NAME")
                site.set_mode(page, query["mode"], query.get("region") or None)
                self._send_json(200, {"modes": site.state()["modes"]})
            elif operation == "reset":
                site.reset()
                self._send_json(200, site.state())
            else:
                self._send_json(404, {"error": f"unknown control operation {operation!r}"})
        except ValueError as error:
            self._send_json(400, {"error": str(error)})
