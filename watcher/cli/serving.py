"""Starting the web app from a command: `serve` alone, or beside `run` and `demo`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import Database
    from watcher.cli.startup import Setup
    from watcher.web import Runtime
    from watcher.web.server import WebServer

DEFAULT_WEB_PORT = 8080


def start_web(
    database: Database,
    setup: Setup | None,
    *,
    host: str,
    port: int,
    runtime: Runtime | None = None,
    any_port_if_busy: bool = False,
) -> WebServer:
    """Serve the app in the background and say where (raises WatcherError if it cannot)."""
    from watcher.alerts import web_base_url
    from watcher.cli.common import evidence_store
    from watcher.web import Runtime, WebContext, create_app
    from watcher.web.context import write_token_from_env
    from watcher.web.server import WebServer, target_settings

    context = WebContext(
        database=database,
        base_url=web_base_url(),
        write_token=write_token_from_env(),
        targets=target_settings(setup.config) if setup is not None else {},
        subscriptions=setup.subscriptions if setup is not None else (),
        runtime=runtime or Runtime(),
        evidence=evidence_store(database),
        politeness=setup.config.politeness if setup is not None else None,
    )
    server = WebServer(create_app(context), host, port)
    url = server.start(any_port_if_busy=any_port_if_busy)
    if port not in (server.port, 0):
        print(f"port {port} is taken: serving on {server.port} instead", flush=True)
    print(f"web app at {url}/ (Atom feed: {url}/feeds/changes.atom)", flush=True)
    return server


def web_wanted(args: argparse.Namespace) -> bool:
    return not getattr(args, "no_web", False)


def default_port_asked(args: argparse.Namespace) -> bool:
    """The default port, not one asked for: another free one will do if it is taken."""
    return bool(args.web_port == DEFAULT_WEB_PORT)
