"""`watcher worker --regions fr,de`: take checks from those regions' queues (distributed mode).

Run it where the regions' egress is (a machine in the country, or with the region's proxy in
sources.yaml). The broker is $WATCHER_BROKER (default redis://127.0.0.1:6379/0); the database is
the one `watcher run --distributed` uses. SIGTERM lets the checks in progress finish, then
stops; a worker killed outright loses nothing: its tasks go back to their queues.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
from datetime import timedelta
from typing import Any

from watcher.cli.common import open_database
from watcher.cli.options import add_config_option, add_db_option
from watcher.cli.startup import load_setup
from watcher.errors import ConfigError
from watcher.settings import config_path

log = logging.getLogger("watcher.worker")

DEFAULT_PROBE_EVERY = "30m"


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "worker", help="check the targets of some regions, taken from their queues"
    )
    add_config_option(parser)
    add_db_option(parser)
    parser.add_argument(
        "--regions",
        required=True,
        metavar="IDS",
        help="comma-separated region ids whose queues this worker takes (e.g. fr,de)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help="checks at a time (default: browser.max_concurrency)",
    )
    parser.add_argument(
        "--probe-every",
        default=DEFAULT_PROBE_EVERY,
        metavar="DURATION",
        help="how often to check that the regions' legal text is served (default 30m)",
    )
    parser.set_defaults(handler=run)


def _regions(raw: str, known: list[str]) -> list[str]:
    regions = list(dict.fromkeys(r.strip() for r in raw.split(",") if r.strip()))
    unknown = [r for r in regions if r not in known]
    if not regions or unknown:
        what = f"unknown region {unknown[0]!r}" if unknown else "no region given"
        raise ConfigError("--regions", None, "", f"{what} (known: {', '.join(sorted(known))})")
    return regions


def _probe_every(raw: str) -> timedelta:
    from watcher.config.durations import parse_duration

    try:
        every = parse_duration(raw)
    except ValueError as error:
        raise ConfigError("--probe-every", None, "", str(error)) from None
    if every < timedelta(minutes=1):
        raise ConfigError("--probe-every", None, "", "must be at least 1m")
    return every


def _keep_logging(**_: object) -> None:
    return None


def run(args: argparse.Namespace) -> int:
    from celery.signals import setup_logging

    from notifiers.apprise_log import redacting_filter
    from notifiers.redact import url_secrets
    from watcher.distributed.app import broker_url, make_app, queue_for
    from watcher.distributed.guard import RegionGuard
    from watcher.distributed.runtime import WorkerRuntime
    from watcher.distributed.tasks import register_check_task

    setup = load_setup(config_path(args.config))
    config = setup.config
    regions = _regions(args.regions, list(config.regions))
    probe_every = _probe_every(args.probe_every)
    concurrency = args.concurrency or config.browser.max_concurrency
    if not 1 <= concurrency <= 64:
        raise ConfigError("--concurrency", None, "", f"expected 1-64, got {concurrency}")
    broker = broker_url()
    redacting_filter().add_secrets(url_secrets(broker))
    app = make_app(broker)
    database = open_database(args.db)
    runtime = WorkerRuntime(config, database, regions, setup.subscriptions)
    guard = RegionGuard(
        runtime.worker_id,
        regions,
        runtime.probe,
        database,
        probe_every=probe_every,
        checks_done=lambda: runtime.checks_done,
    )
    hostname = f"watcher{os.getpid()}@{socket.gethostname()}"
    try:
        runtime.start()
        guard.probe_all()  # at start-up: only the regions served right are taken
        accepted = guard.accepted()
        # With every region refused the worker listens on a queue of its own, so that it goes on
        # probing and takes its regions again once they are served right.
        queues = [queue_for(r) for r in accepted] or [f"watcher.idle.{os.getpid()}"]

        def follow(region: str, take: bool) -> None:
            control = app.control.add_consumer if take else app.control.cancel_consumer
            control(queue_for(region), destination=[hostname], reply=False)

        guard.on_change = follow
        guard.start()
        register_check_task(app, runtime, guard)
        print(
            f"worker {runtime.worker_id}: regions {', '.join(regions)}; taking "
            f"{', '.join(accepted) or 'none yet'}; {concurrency} checks at a time",
            flush=True,
        )
        # Keep watcher's own logging (one line per check, secrets redacted): with a receiver
        # connected to this signal Celery leaves the logging configuration alone.
        setup_logging.connect(_keep_logging, weak=False)
        argv = [
            "worker",
            "--pool=threads",
            f"--concurrency={concurrency}",
            f"--queues={','.join(queues)}",
            f"--hostname={hostname}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        app.worker_main(argv)
    finally:
        guard.stop()
        runtime.close()
        database.dispose()
    return 0
