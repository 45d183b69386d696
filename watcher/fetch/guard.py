"""`PageGuard`: notices, while a page loads and renders, that it is over its size limits.

Two watchers, both cheap on a normal page and both running inside Chromium as the page grows,
so an oversized page is stopped before its bulk is parsed, serialized or sent to Python:

- bytes: a DevTools session on the page counts the decoded bytes of every document response
  (the page and its frames) as they arrive; a gzip bomb is caught by what it inflates to, a
  Content-Length over the limit before its body arrives;
- elements: a script that runs before any of the page's own counts the elements inserted into
  each document (by the parser or by scripts) and those scripts create, and calls back once a
  document is over the limit, ending the script that went over it.

The fetcher races its work against `over` and closes the page when it is set.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError

from watcher.fetch.limits import PageLimits, format_size

_BINDING = "__watcherElementsOverLimit"
# Chromium acknowledges a close that races a navigation commit and then drops it, leaving
# `page.close()` waiting forever (about half the time when a page is stopped at its response
# headers): the close is asked again through the page's own DevTools session.
_CLOSE_ATTEMPTS = 4
_CLOSE_WAIT_S = 0.5

# Counting with a MutationObserver costs one callback per batch of insertions. Each inserted
# element adds itself and its descendants (a leaf without asking for them); the exact (and O(n))
# count of the whole document is only taken once the cheap estimate could be over the limit, or
# after `step` insertions (so removals are accounted for and a churning page is not overcounted).
# A batch of a million insertions is not walked to its end: the estimate stops at the first step.
# An observer only runs once a script has finished, so element creation counts too: every `step`
# elements created, the document is counted, and once it is over the limit creating one more
# throws, which ends a script building a million elements in one run where it is. Once over,
# the document's content is dropped and its loading stopped, so Chromium neither lays out nor
# keeps what the page built while the fetcher closes it.
_COUNT_ELEMENTS_JS = """(limit => {
  const all = document.getElementsByTagName('*');
  const step = Math.max(1000, Math.floor(limit / 10));
  let counted = 0;
  let added = 0;
  let created = 0;
  let tripped = false;
  const isOver = () => {
    if (tripped) return true;
    counted = all.length;
    added = 0;
    if (counted <= limit) return false;
    tripped = true;
    observer.disconnect();
    window.stop();
    document.documentElement.remove();
    window.%(binding)s(counted);
    return true;
  };
  const observer = new MutationObserver(records => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        added += node.firstElementChild === null ? 1 : 1 + node.getElementsByTagName('*').length;
      }
      if (added >= step || counted + added > limit) break;
    }
    if (added >= step || counted + added > limit) isOver();
  });
  observer.observe(document, {childList: true, subtree: true});
  for (const name of ['createElement', 'createElementNS']) {
    const create = Document.prototype[name];
    Document.prototype[name] = function (...args) {
      created += 1;
      if (tripped || (created %% step === 0 && isOver())) {
        throw new RangeError('the page is over its elements limit');
      }
      return create.apply(this, args);
    };
  }
})(%(limit)d);"""

# What the rendered page holds, measured before serializing it: its elements and a lower bound
# of its serialized size (the characters of its text and attribute values). Only a page within
# `[maxElements, maxChars]` is then serialized, as `page.content()` does (the doctype, then the
# root's outer HTML): `[elements, chars, html, shadow]`, with `html` null for a page over a limit
# and `shadow` whether an element hosts an open shadow root (where Playwright's selectors look
# and `querySelector` does not). One round trip, where measuring and then asking for the content
# took two.
READ_JS = """([maxElements, maxChars]) => {
  const elements = document.getElementsByTagName('*');
  let chars = 0, shadow = false;
  for (const element of elements) {
    for (const attribute of element.attributes) chars += attribute.value.length;
    if (element.shadowRoot) shadow = true;
  }
  const texts = document.createTreeWalker(document, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) chars += texts.currentNode.length;
  if (elements.length > maxElements || chars > maxChars) {
    return [elements.length, chars, null, shadow];
  }
  let html = '';
  if (document.doctype) html = new XMLSerializer().serializeToString(document.doctype);
  if (document.documentElement) html += document.documentElement.outerHTML;
  return [elements.length, chars, html, shadow];
}"""


@dataclass(frozen=True)
class Rendered:
    """What `READ_JS` read of a rendered page; `html` is None for a page over a limit.
    `absent`: selectors known to match nothing in the page as read (see `settle`)."""

    elements: int
    chars: int
    html: str | None
    absent: frozenset[str] = frozenset()

    @classmethod
    def of(cls, answer: Sequence[Any], absent: frozenset[str] = frozenset()) -> Rendered:
        elements, chars, html = answer[:3]
        return cls(int(elements), int(chars), html if isinstance(html, str) else None, absent)


def read_arguments(limits: PageLimits) -> list[int]:
    """`READ_JS`'s arguments for a page under `limits`."""
    return [limits.max_dom_nodes, limits.max_page_bytes]


class PageGuard:
    """Watches one page against `limits`; `over` is set, with `reason`, once it is over one."""

    def __init__(self, limits: PageLimits) -> None:
        self.limits = limits
        self.over = asyncio.Event()
        self.reason: str | None = None
        self.document_bytes = 0
        self._documents: set[str] = set()
        self._session: CDPSession | None = None

    async def watch(self, context: BrowserContext, page: Page) -> None:
        """Starts the byte watcher; call before the page navigates. The element watcher is the
        context's (`guard_context`), set up once for all its pages."""
        await self._watch_bytes(context, page)

    async def _watch_bytes(self, context: BrowserContext, page: Page) -> None:
        session = self._session = await context.new_cdp_session(page)
        session.on("Network.responseReceived", self._on_response)
        session.on("Network.dataReceived", self._on_data)
        # This session only counts: it keeps no response bodies for DevTools to hand out.
        await session.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})

    def reset(self) -> None:
        """Ready for the page's next navigation: counts and verdict start again (the DevTools
        session, the binding and the counting script stay with the page)."""
        self.over = asyncio.Event()
        self.reason = None
        self.document_bytes = 0
        self._documents.clear()

    async def close(self, page: Page) -> bool:
        """Closes the page, asking again while Chromium has not; whether it is closed."""
        closing = asyncio.ensure_future(page.close())
        for _ in range(_CLOSE_ATTEMPTS):
            done, _ = await asyncio.wait({closing}, timeout=_CLOSE_WAIT_S)
            if done:
                # A page already gone (its context closed meanwhile) is closed all the same.
                closing.exception()
                return True
            if self._session is not None:
                with contextlib.suppress(PlaywrightError, TimeoutError):
                    await asyncio.wait_for(self._session.send("Page.close"), _CLOSE_WAIT_S)
        closing.cancel()
        return False

    def check_rendered(self, elements: int, chars: int) -> str | None:
        """Why the rendered page must not be serialized, from `READ_JS`'s figures."""
        if elements > self.limits.max_dom_nodes:
            return self._elements_reason(elements)
        if chars > self.limits.max_page_bytes:
            return (
                f"page is over the {format_size(self.limits.max_page_bytes)} limit "
                f"(the rendered page holds at least {format_size(chars)} of text and attributes)"
            )
        return None

    def check_html(self, html: str) -> str | None:
        """Why the serialized page is too large, if it is."""
        # Characters first: a string over the limit in characters is over it in bytes too.
        if len(html) <= self.limits.max_page_bytes // 4:
            return None
        size = len(html.encode("utf-8", errors="replace"))
        if size <= self.limits.max_page_bytes:
            return None
        return (
            f"page is over the {format_size(self.limits.max_page_bytes)} limit "
            f"(its rendered HTML is {format_size(size)})"
        )

    def trip(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            self.over.set()

    def _elements_reason(self, elements: int) -> str:
        return (
            f"page is over the {self.limits.max_dom_nodes:,} elements limit "
            f"({elements:,} elements in one document)"
        )

    def _on_response(self, event: dict[str, Any]) -> None:
        if event.get("type") != "Document":
            return
        self._documents.add(str(event.get("requestId")))
        headers = event.get("response", {}).get("headers", {})
        announced = next(
            (value for name, value in headers.items() if name.lower() == "content-length"), None
        )
        if announced is not None and str(announced).strip().isdigit():
            length = int(str(announced).strip())
            if length > self.limits.max_page_bytes:
                self.trip(
                    f"page is over the {format_size(self.limits.max_page_bytes)} limit "
                    f"(Content-Length announces {format_size(length)})"
                )

    def _on_data(self, event: dict[str, Any]) -> None:
        if str(event.get("requestId")) not in self._documents:
            return
        self.document_bytes += int(event.get("dataLength", 0))
        if self.document_bytes > self.limits.max_page_bytes:
            self.trip(
                f"page is over the {format_size(self.limits.max_page_bytes)} limit "
                f"({format_size(self.document_bytes)} of HTML received, decoded)"
            )

    def on_elements(self, elements: object) -> None:
        """The counting script's call: the page's document is over the elements limit."""
        count = elements if isinstance(elements, int) else self.limits.max_dom_nodes + 1
        self.trip(self._elements_reason(count))


async def guard_context(
    context: BrowserContext, limits: PageLimits, guards: Mapping[Page, PageGuard]
) -> None:
    """Has every page of `context` count its elements against `limits` from its first script
    on, and call back the guard `guards` holds for it once over: set up once for the context,
    where a page's own set-up cost each new page two more round trips to the browser."""

    def over(source: dict[str, Any], elements: object) -> None:
        page = source.get("page")
        guard = guards.get(page) if isinstance(page, Page) else None
        if guard is not None:
            guard.on_elements(elements)

    script = _COUNT_ELEMENTS_JS % {"binding": _BINDING, "limit": limits.max_dom_nodes}
    await asyncio.gather(context.expose_binding(_BINDING, over), context.add_init_script(script))
