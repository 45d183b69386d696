"""A loopback site of hostile and awkward pages: oversized, a gzip bomb, runaway scripts, wrong
charsets, cookie dialogs, a redirect loop, a page that drips, one that never loads and a script
that never ends. Used by the browser tests and by `benchmarks/hostile.py`.

    with HostileSite() as site:
        site.url("/gzip-bomb")

Big bodies are generated while they are sent, so the site itself stays small in memory.
"""

from __future__ import annotations

import random
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from watcher.simsite import render_page

MIB = 1024 * 1024
HUGE_PAGE_BYTES = 50 * MIB
GZIP_BOMB_BYTES = 8 * 1024 * MIB
FLOOD_ELEMENTS = 1_000_000
MANY_ELEMENTS = 300_000
BURST_ELEMENTS = 150_000
# The drip sends a byte this often; both slow pages give up after HOLD_S (or when the site stops).
DRIP_EVERY_S = 0.25
HOLD_S = 600.0
JS_LOOP_HTML = (
    "<!DOCTYPE html><html><head><title>Loop</title></head><body><main><h1>Loop</h1>"
    "<p>A script below never ends.</p></main><script>for (;;) {}</script></body></html>"
)

_PHRASE = (
    "we use information about you to provide personalise and improve our products including "
    "artificial intelligence models features and experiences across meta technologies when "
    "you use them and to keep them safe secure and working as they should for everyone"
)
_WORDS = _PHRASE.split(" ")


def prose(words: int, seed: int = 0) -> str:
    """Plain English-looking text of about `words` words, the same for the same seed."""
    picker = random.Random(seed)
    chosen = [picker.choice(_WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def _shell(body: str, *, lang: str = "en", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="{charset}">\n'
        f"<title>Hostile page</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def article_html(paragraphs: int = 60, *, dialog: str = "") -> str:
    """A healthy page of about 1.6 KB per paragraph, with `dialog` after its main region."""
    sections = []
    for index in range(paragraphs):
        if index % 6 == 0:
            sections.append(f"<h2>Section {index // 6 + 1}</h2>")
        sections.append(f"<p>{prose(250, seed=index)}</p>")
    main = '<div role="main"><h1>How we use information</h1>' + "".join(sections) + "</div>"
    navigation = '<div role="navigation"><a href="/">Home</a> <a href="/help">Help</a></div>'
    return _shell(navigation + main + dialog)


COOKIE_DIALOG = (
    '<div role="dialog" aria-modal="true" aria-label="Allow the use of cookies">'
    "<h2>Allow the use of cookies from Meta on this browser?</h2>"
    "<p>We use cookies and similar technologies to help provide and improve content.</p>"
    '<div role="button" data-cookiebanner="accept_button">Allow all cookies</div>'
    '<div role="button" data-cookiebanner="accept_only_essential_button">'
    "Only allow essential cookies</div></div>"
)


def covered_html() -> str:
    """A page whose content has been replaced by the cookie dialog until it is answered."""
    return _shell(f'<div role="main">{COOKIE_DIALOG}</div>')


def flood_html(elements: int = FLOOD_ELEMENTS, per_task: int = 10_000, every_ms: int = 0) -> str:
    """A small page whose script keeps appending elements, `per_task` at a time every `every_ms`
    (all of them in one go with `per_task=elements`)."""
    script = (
        "(function () {"
        "  var box = document.getElementById('flood'), made = 0;"
        "  function more() {"
        f"    for (var i = 0; i < {per_task} && made < {elements}; i++, made++) {{"
        "      var item = document.createElement('span'); item.textContent = 'x';"
        "      box.appendChild(item);"
        "    }"
        f"    if (made < {elements}) setTimeout(more, {every_ms});"
        "  }"
        "  more();"
        "})();"
    )
    main = f'<div role="main"><h1>A runaway page</h1><p>{prose(80)}</p><div id="flood"></div></div>'
    return _shell(f"{main}<script>{script}</script>")


def script_text_html(chars: int = 3 * MIB) -> str:
    """A small page whose script writes `chars` characters of text into one element."""
    script = f"document.getElementById('text').textContent = 'a'.repeat({chars});"
    main = f'<div role="main"><h1>Generated text</h1><p id="text"></p><p>{prose(80)}</p></div>'
    return _shell(f"{main}<script>{script}</script>")


def script_markup_html(elements: int = 15_000) -> str:
    """A small page whose script adds `elements` empty elements with 40-letter tag names:
    no text and no attributes to measure, ~90 bytes each once serialized."""
    script = (
        "var box = document.getElementById('box'), name = 'x-' + 'a'.repeat(40);"
        f"for (var i = 0; i < {elements}; i++) box.appendChild(document.createElement(name));"
    )
    main = f'<div role="main"><h1>Generated markup</h1><p>{prose(80)}</p><div id="box"></div></div>'
    return _shell(f"{main}<script>{script}</script>")


def many_elements_html(elements: int = MANY_ELEMENTS) -> str:
    """A static page with `elements` small elements (about 9 bytes each)."""
    return _shell('<div role="main"><h1>A long list</h1>' + "<i>x</i>" * elements + "</div>")


@cache
def simulated_policy(locale: str) -> str:
    """The simulated site's privacy policy in `locale` (fr_FR, de_DE, pt_BR), as rendered."""
    region = {"fr": "fr", "de": "de", "pt": "br"}[locale[:2]]
    return render_page(
        "privacy_policy",
        version=4,
        region=region,
        locale=locale,
        rng=random.Random(11),
        consent_given=True,
        as_rendered=True,
    )


# ---- bodies sent in pieces --------------------------------------------------------------


def _huge_chunks(total: int) -> Iterator[bytes]:
    """`total` bytes of HTML: a main region of 2 KB paragraphs, sent 1 MiB at a time."""
    head = (
        b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Long</title></head>'
        b'<body><div role="main"><h1>A very long page</h1>'
    )
    paragraph = f"<p>{prose(330, seed=3)}</p>\n".encode()
    chunk = paragraph * (MIB // len(paragraph))
    yield head
    sent = len(head)
    while sent + len(chunk) < total:
        yield chunk
        sent += len(chunk)
    yield b" " * (total - sent)


def _bomb_block() -> bytes:
    """1 MiB of HTML: 64 paragraphs of 16 KB, each a run that deflate shrinks ~900 times."""
    return (("<p>" + "a" * 16_376 + "</p>\n") * 64).encode()


@cache
def _bomb_pieces() -> tuple[bytes, bytes, bytes]:
    """A gzip stream of one 1 MiB block repeated: (header and first block, each further block,
    end of the deflate stream). After a full flush the compressor starts afresh, so every
    further copy of the block compresses to the same bytes and can be sent again as is."""
    block = _bomb_block()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    if compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH) != again:
        raise AssertionError("a flushed block should always compress to the same bytes")
    end = compressor.flush()[:-8]  # the trailer is written for the whole stream below
    return first, again, end


def _bomb_chunks(total: int) -> Iterator[bytes]:
    """A valid gzip body inflating to `total` bytes (in whole MiB), ~870 times smaller."""
    first, again, end = _bomb_pieces()
    blocks = max(1, total // MIB)
    yield first
    for _ in range(blocks - 1):
        yield again
    yield end + _gzip_trailer(blocks)


def _gzip_trailer(blocks: int) -> bytes:
    """CRC-32 and length of `blocks` copies of the bomb's block, without inflating them.

    CRC-32 is affine over GF(2): crc(block, start) = M·start ⊕ crc(block, 0), so the CRC after
    n blocks is n applications of that map, with M read off 32 unit starting values.
    """
    block = _bomb_block()
    base = zlib.crc32(block, 0)
    columns = [zlib.crc32(block, 1 << bit) ^ base for bit in range(32)]
    state = 0
    for _ in range(blocks):
        mixed = 0
        for bit in range(32):
            if state >> bit & 1:
                mixed ^= columns[bit]
        state = mixed ^ base
    length = (blocks * len(block)) & 0xFFFFFFFF
    return state.to_bytes(4, "little") + length.to_bytes(4, "little")


# ---- the server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One route's answer: headers and the body's pieces."""

    body: Callable[[], Iterator[bytes]]
    content_type: str = "text/html; charset=utf-8"
    length: int | None = None  # sent as Content-Length when known, else chunked
    encoding: str | None = None
    status: int = 200
    location: str | None = None


def _drip(stopping: threading.Event) -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><body><main><h1>Drip</h1><p>"
    waited = 0.0
    while waited < HOLD_S and not stopping.wait(DRIP_EVERY_S):
        waited += DRIP_EVERY_S
        yield b"."


def _never_loads(stopping: threading.Event) -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><body><main><h1>Never</h1>"
    stopping.wait(HOLD_S)


def _fixed(html: str, *, encoding: str = "utf-8", charset: str | None = None) -> Reply:
    data = html.encode(encoding, errors="xmlcharrefreplace")
    return Reply(
        body=lambda: iter([data]),
        content_type=f"text/html; charset={charset or encoding}",
        length=len(data),
    )


def _routes(stopping: threading.Event) -> dict[str, Callable[[], Reply]]:
    return {
        "/redirect-loop": lambda: Reply(
            body=lambda: iter([b""]), length=0, status=302, location="/redirect-loop"
        ),
        "/drip": lambda: Reply(body=lambda: _drip(stopping)),
        "/never-loads": lambda: Reply(body=lambda: _never_loads(stopping)),
        "/js-loop": lambda: _fixed(JS_LOOP_HTML),
        "/article": lambda: _fixed(article_html()),
        "/cookie-banner-outside": lambda: _fixed(article_html(dialog=COOKIE_DIALOG)),
        "/cookie-banner-covering": lambda: _fixed(covered_html()),
        "/huge": lambda: Reply(body=lambda: _huge_chunks(HUGE_PAGE_BYTES), length=HUGE_PAGE_BYTES),
        "/huge-streamed": lambda: Reply(body=lambda: _huge_chunks(HUGE_PAGE_BYTES)),
        "/gzip-bomb": lambda: Reply(body=lambda: _bomb_chunks(GZIP_BOMB_BYTES), encoding="gzip"),
        "/flood": lambda: _fixed(flood_html()),
        "/flood-at-once": lambda: _fixed(flood_html(per_task=FLOOD_ELEMENTS)),
        "/many-elements": lambda: _fixed(many_elements_html()),
        # Built by script in a few seconds, then done: under the limit, read whole.
        "/burst": lambda: _fixed(flood_html(BURST_ELEMENTS)),
        # 10,000 elements a second for 15 seconds: still growing at a short timeout.
        "/trickle": lambda: _fixed(flood_html(BURST_ELEMENTS, per_task=1_000, every_ms=100)),
        "/script-text": lambda: _fixed(script_text_html()),
        "/script-markup": lambda: _fixed(script_markup_html()),
        # French text in Latin-1 bytes, labelled UTF-8 (header and meta): replacement characters.
        "/latin1-labelled-utf8": lambda: _fixed(
            simulated_policy("fr_FR"), encoding="latin-1", charset="utf-8"
        ),
        # UTF-8 bytes labelled windows-1252 in the header, which wins over the meta tag: mojibake.
        "/utf8-labelled-cp1252": lambda: _fixed(
            simulated_policy("fr_FR"), encoding="utf-8", charset="windows-1252"
        ),
        "/policy-fr": lambda: _fixed(simulated_policy("fr_FR")),
        "/policy-de": lambda: _fixed(simulated_policy("de_DE")),
        "/policy-pt": lambda: _fixed(simulated_policy("pt_BR")),
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        reply = route()
        self.send_response(reply.status)
        if reply.location is not None:
            self.send_header("Location", reply.location)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Cache-Control", "no-store")
        if reply.encoding:
            self.send_header("Content-Encoding", reply.encoding)
        if reply.length is not None:
            self.send_header("Content-Length", str(reply.length))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for piece in reply.body():
                if reply.length is not None:
                    self.wfile.write(piece)
                elif piece:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
            if reply.length is None:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            # The browser stopped reading: exactly what a guarded fetch does with these pages.
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stopping = threading.Event()
        self.routes = _routes(self.stopping)


class HostileSite:
    """The hostile pages on a loopback port, served from a background thread."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HostileSite:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stopping.set()  # the drip and the page that never loads end
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"
