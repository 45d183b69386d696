"""`create_app`: the FastAPI application with its pages, feeds, API, static files and errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from storage import StorageError
from watcher import __version__
from watcher.web import (
    api,
    atom,
    evidence,
    ops,
    pages_change,
    pages_compare,
    pages_feed,
    pages_snapshot,
    pages_status,
    pages_target,
)
from watcher.web.context import WebContext
from watcher.web.filters import FilterError
from watcher.web.security import SecurityHeaders
from watcher.web.state import WebState
from watcher.web.templating import Pages

STATIC = Path(__file__).parent / "static"


def create_app(context: WebContext) -> FastAPI:
    app = FastAPI(
        title="watcher",
        version=__version__,
        description="The change history of Meta's privacy pages: targets, checks, changes "
        "with findings, snapshots and region comparisons.",
        # The interactive docs load scripts from elsewhere: the CSP forbids that. The OpenAPI
        # document itself is served.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    pages = Pages()
    app.state.web = WebState(context=context, pages=pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        pages_feed,
        pages_change,
        pages_snapshot,
        pages_target,
        pages_compare,
        pages_status,
        evidence,
        atom,
        api,
        ops,
    ):
        app.include_router(module.router)
    app.add_middleware(SecurityHeaders)

    def error(request: Request, status: int, detail: str) -> Response:
        """JSON for the API, a page for people; one line either way, never a traceback."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": detail}, status_code=status)
        return pages.html("error.html", status_code=status, status=status, detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = error(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(FilterError)
    async def filter_error(request: Request, exc: FilterError) -> Response:
        return error(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
        return error(request, 400, f"{where}: {first.get('msg', 'invalid value')}")

    @app.exception_handler(StorageError)
    async def storage_error(request: Request, exc: StorageError) -> Response:
        return error(request, 503, "the database cannot be read right now")

    return app
