"""What every route reaches through `request.app.state`: the context and the page renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from watcher.web.context import WebContext
from watcher.web.templating import Pages

FEED_PAGE_SIZE = 25


@dataclass(frozen=True)
class WebState:
    context: WebContext
    pages: Pages


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


# The parameter every route declares to reach the state: `web: Web`.
Web = Annotated[WebState, Depends(web_state)]
