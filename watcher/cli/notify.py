"""`watcher notify test URL`: send a test message to an Apprise URL and say why it failed.

The URL may be given as `-` to read it from standard input, which keeps its token out of the
shell history and the process list.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

DEFAULT_TIMEOUT_S = 15.0


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "notify", help="notification channels: send a test message"
    )
    actions = parser.add_subparsers(dest="notify_action", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="send a test message to an Apprise URL")
    test.add_argument(
        "url", help="an Apprise URL (tgram://, slack://, mailto://, ...), or - for stdin"
    )
    test.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"give up after this many seconds (default {DEFAULT_TIMEOUT_S:g})",
    )
    test.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from notifiers import channel_for_url, redact_url, render_test_message, send, validate_url

    url = sys.stdin.readline().strip() if args.url == "-" else args.url.strip()
    label = redact_url(url) or "(empty)"
    problem = validate_url(url)
    if problem is not None:
        print(f"watcher: {problem}", file=sys.stderr)
        print(
            "watcher: check the URL's scheme and parts against Apprise's documentation",
            file=sys.stderr,
        )
        return 2
    channel = channel_for_url(url)
    message = render_test_message(channel, now=datetime.now(UTC))
    result = send(url, message, timeout_s=args.timeout)
    if result.ok:
        print(f"sent a test message to {label} ({channel.service}) in {result.duration_ms:.0f} ms")
        return 0
    print(
        f"watcher: the test message to {label} was not delivered: {result.error}", file=sys.stderr
    )
    if result.permanent:
        advice = (
            "this will keep failing until the URL is fixed "
            "(token, address, permissions or recipient)"
        )
    else:
        advice = (
            "the service did not take it now (down, unreachable, slow or rate limited); "
            "alerts to it are retried, try the test again later"
        )
    print(f"watcher: {advice}", file=sys.stderr)
    return 1
