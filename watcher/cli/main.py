"""`watcher` command line: parses arguments, runs one command, turns errors into exit codes.

Exit status: 0 the command ran (a pass with failed fetches still ran), 1 a runtime error (database
unreachable, no browser), 2 invalid configuration or usage, 130 interrupted, 141 the output was
closed early (`watcher validate | head -3`), as for any program stopped by SIGPIPE.

Start-up stays fast (`watcher --help` and `watcher validate` well under half a second): this
module and the command modules import only the standard library and small modules of this
project at load time; each command imports what it needs (pydantic, the database layer,
Apprise, Playwright, rich) in its handler.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from notifiers.apprise_log import guard_handler
from watcher import __version__
from watcher.cli import (
    changes,
    check,
    compare,
    db,
    deliveries,
    demo,
    dispatch,
    export,
    health,
    noise,
    notify,
    run,
    serve,
    subscriptions,
    validate,
    verify,
    worker,
)
from watcher.errors import ConfigError, WatcherError

LOGGING_COMMANDS = frozenset({"run", "dispatch", "serve", "worker"})

# 128 + SIGPIPE: what a shell reports for a program whose reader went away.
EXIT_OUTPUT_CLOSED = 141

COMMANDS = (
    validate,
    check,
    changes,
    compare,
    demo,
    run,
    serve,
    db,
    notify,
    subscriptions,
    deliveries,
    dispatch,
    noise,
    verify,
    export,
    health,
    worker,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="watcher",
        description="Watch Meta's privacy, generative-AI and help pages per region; "
        "explain each change and alert subscribers.",
    )
    parser.add_argument("--version", action="version", version=f"watcher {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        finally:
            # Inside the `try`: a reader that went away shows up here at the latest, instead of
            # as "Exception ignored ... BrokenPipeError" when the interpreter flushes at exit.
            sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_OUTPUT_CLOSED


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Long-running commands log a line per check and per delivery; the others stay quiet.
    _configure_logging(args.verbose + (1 if args.command in LOGGING_COMMANDS else 0))
    try:
        status: int = args.handler(args)
    except ConfigError as error:
        print(f"watcher: invalid configuration: {error}", file=sys.stderr)
        for extra in getattr(error, "more", ()):
            print(f"watcher: invalid configuration: {extra}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("watcher: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if isinstance(error, (WatcherError, *_database_errors())):
            print(f"watcher: {error}", file=sys.stderr)
            return 1
        raise
    return status


def _database_errors() -> tuple[type[Exception], ...]:
    """The storage layer's error class, if this process loaded it.

    Imported lazily like everything heavy (it brings SQLAlchemy and Alembic): a command that
    never opened a database cannot have raised it.
    """
    errors = sys.modules.get("storage.errors")
    found = getattr(errors, "StorageError", None)
    return (found,) if isinstance(found, type) and issubclass(found, Exception) else ()


def _discard_stdout() -> None:
    """Point stdout at /dev/null so that nothing more is written to the closed pipe, not even by
    the interpreter's last flush (the recipe of Python's `signal` documentation)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return  # not a real file (a test's capture): nothing will be flushed to a pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * min(verbosity, 2)
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    # Every handler that prints gets the redacting filter and the gate that holds back what
    # Apprise logs while it parses configuration text: no secret at any level.
    for handler in logging.getLogger().handlers:
        guard_handler(handler)
    if level > logging.DEBUG:
        # A line per job run, or per migration plugin loaded at start-up, says nothing our own
        # lines do not (`-vv` shows them).
        for chatty in ("apscheduler", "alembic"):
            logging.getLogger(chatty).setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
