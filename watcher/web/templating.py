"""Jinja2 templates with autoescaping everywhere (HTML and Atom) and the pages' small helpers."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from watcher.web.views import SEVERITY_SYMBOLS

TEMPLATES = Path(__file__).parent / "templates"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _severity(severity: str | None) -> Markup:
    """A severity as a word with a symbol: readable without its colour."""
    if severity is None:
        return Markup("")
    symbol = SEVERITY_SYMBOLS.get(severity, "")
    return Markup(
        '<span class="severity severity-{0}"><span aria-hidden="true">{1}</span> {0}</span>'
    ).format(severity, symbol)


def _path_segment(value: str) -> str:
    return quote(value, safe="@")


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = _when
    environment.filters["rfc3339"] = _rfc3339
    environment.filters["severity"] = _severity
    environment.filters["seg"] = _path_segment
    return environment


class Pages:
    """Renders templates into responses; one compiled environment per app."""

    def __init__(self) -> None:
        self.environment = build_environment()

    def html(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        body = self.environment.get_template(name).render(**context)
        return HTMLResponse(body, status_code=status_code)

    def xml(self, name: str, media_type: str, **context: Any) -> Response:
        body = self.environment.get_template(name).render(**context)
        # Characters XML 1.0 forbids even escaped: a page may hold them, a feed must not.
        return Response(_NOT_XML.sub("", body), media_type=media_type)
