"""`watcher run`: check every target at its interval and deliver alerts, until stopped (SIGTERM or
Ctrl-C)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from watcher.cli.common import browser_settings, evidence_store, open_database, started
from watcher.cli.options import add_config_option, add_db_option, add_web_options
from watcher.cli.serving import default_port_asked, start_web, web_wanted
from watcher.cli.startup import Setup, load_setup
from watcher.settings import config_path

if TYPE_CHECKING:
    import asyncio

    from storage import Database
    from watcher.pipeline import Checker
    from watcher.schedule import Schedule
    from watcher.web.server import WebServer

log = logging.getLogger("watcher.run")


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "run", help="watch every target at its interval until stopped"
    )
    add_config_option(parser)
    add_db_option(parser)
    parser.add_argument(
        "--startup-spread",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="spread the first checks of due targets over this many seconds (default 60)",
    )
    add_web_options(parser, beside_other_work=True)
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="queue due checks for `watcher worker` processes ($WATCHER_BROKER) instead of "
        "checking here",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    setup = load_setup(config_path(args.config))
    database = open_database(args.db)
    spread = timedelta(seconds=args.startup_spread)
    try:
        if args.distributed:
            _dispatch_distributed(setup, database, spread, args)
        else:
            asyncio.run(_watch(setup, database, spread, args))
    finally:
        database.dispose()
    return 0


def _dispatch_distributed(
    setup: Setup, database: Database, spread: timedelta, args: argparse.Namespace
) -> None:
    """Queue due checks for the workers and deliver alerts, until SIGTERM or Ctrl-C."""
    from notifiers.apprise_log import redacting_filter
    from notifiers.redact import url_secrets
    from watcher.alerts import Dispatcher, DispatchSettings, web_base_url
    from watcher.distributed.app import broker_url, make_app, visibility_timeout
    from watcher.distributed.enqueue import Enqueuer, celery_sender
    from watcher.stored import register_targets

    config = setup.config
    targets = config.targets()
    broker = broker_url()
    redacting_filter().add_secrets(url_secrets(broker))
    app = make_app(broker)
    register_targets(database, targets, datetime.now(UTC), complete=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    # A slot queued this long ago and still not checked lost its task: queue it again.
    requeue_after = timedelta(seconds=2 * visibility_timeout())
    enqueuer = Enqueuer(
        database,
        targets,
        celery_sender(app),
        requeue_after=requeue_after,
        startup_spread=spread,
    )
    dispatcher = Dispatcher(
        database, setup.subscriptions, settings=DispatchSettings(base_url=web_base_url())
    )
    threads = [
        threading.Thread(target=enqueuer.run, name="enqueuer", daemon=True),
        threading.Thread(target=dispatcher.run, name="dispatcher", daemon=True),
    ]
    for thread in threads:
        thread.start()
    server = None
    if web_wanted(args):
        from watcher.web import Runtime

        runtime = Runtime(scheduler_alive=threads[0].is_alive, dispatcher_alive=threads[1].is_alive)
        server = start_web(
            database,
            setup,
            host=args.web_host,
            port=args.web_port,
            runtime=runtime,
            any_port_if_busy=default_port_asked(args),
        )
    print(
        f"dispatching {len(targets)} targets to the regions' queues "
        f"({', '.join(sorted({t.region_id for t in targets}))}), alerting "
        f"{len(setup.subscriptions)} subscriptions; stop with Ctrl-C",
        flush=True,
    )
    stop.wait()
    print("stopping: letting the send in progress finish", flush=True)
    if server is not None:
        server.stop()
    enqueuer.stop()
    dispatcher.stop()
    for thread in threads:
        thread.join()


def _quiet_after_stop(
    stop: asyncio.Event,
) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """Ctrl-C reaches the whole process group, Playwright's driver included: once stopping, its
    exit is expected, not an error worth a traceback."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if stop.is_set() and error is not None and "driver" in str(error):
            return
        loop.default_exception_handler(context)

    return handle


async def _watch(
    setup: Setup, database: Database, spread: timedelta, args: argparse.Namespace
) -> None:
    import asyncio

    from watcher.alerts import Dispatcher, DispatchSettings, web_base_url
    from watcher.fetch.playwright_fetcher import PlaywrightFetcher
    from watcher.pipeline import Checker
    from watcher.scheduling import PoliteFetcher

    config, subscriptions = setup.config, setup.subscriptions
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.set_exception_handler(_quiet_after_stop(stop))
    # The dispatcher's sends block (Apprise is synchronous): it runs in a thread of its own,
    # delivering what the checks write to the outbox.
    dispatcher = Dispatcher(
        database, subscriptions, settings=DispatchSettings(base_url=web_base_url())
    )
    dispatching = threading.Thread(target=dispatcher.run, name="dispatcher", daemon=True)
    dispatching.start()
    try:
        fetcher = PlaywrightFetcher(browser_settings(config))
        polite = PoliteFetcher(fetcher, config.politeness)
        with Checker(
            polite,
            database,
            page_limits=fetcher.settings.limits,
            subscriptions=subscriptions,
            blobs=evidence_store(database),
        ) as checker:
            async with started(checker, fetcher):
                await _run_schedule(
                    checker,
                    setup,
                    database,
                    stop,
                    spread=spread,
                    web=args if web_wanted(args) else None,
                    dispatching=dispatching,
                    max_running=2 * config.browser.max_concurrency,
                )
    finally:
        dispatcher.stop()
        await asyncio.to_thread(dispatching.join)


async def _run_schedule(
    checker: Checker,
    setup: Setup,
    database: Database,
    stop: asyncio.Event,
    *,
    spread: timedelta,
    web: argparse.Namespace | None,
    dispatching: threading.Thread,
    max_running: int,
) -> None:
    from watcher.schedule import Schedule

    targets = setup.config.targets()
    checker.register(targets, complete=True)
    schedule = Schedule(checker, targets, database, startup_spread=spread, max_running=max_running)
    await schedule.start()
    server = None if web is None else _serve(web, database, setup, schedule, dispatching)
    print(
        f"watching {len(targets)} targets, alerting {len(setup.subscriptions)} subscriptions; "
        f"next check at {await schedule.next_due():%Y-%m-%d %H:%M:%S} UTC; stop with Ctrl-C",
        flush=True,
    )
    try:
        await stop.wait()
        print("stopping: letting checks and the send in progress finish", flush=True)
    finally:
        if server is not None:
            server.stop()
        await schedule.stop()


def _serve(
    args: argparse.Namespace,
    database: Database,
    setup: Setup,
    schedule: Schedule,
    dispatching: threading.Thread,
) -> WebServer:
    from watcher.web import Runtime

    runtime = Runtime(
        next_due=schedule.next_due_of,
        trigger=schedule.check_now,
        scheduler_alive=lambda: schedule.running,
        dispatcher_alive=dispatching.is_alive,
    )
    return start_web(
        database,
        setup,
        host=args.web_host,
        port=args.web_port,
        runtime=runtime,
        any_port_if_busy=default_port_asked(args),
    )
