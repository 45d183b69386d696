"""`redact_url` checked against Apprise itself, over every service Apprise knows.

Each plugin declares URL templates (`{schema}://{botname}@{webhook_id}/{webhook_token}`) and
which of their tokens are private. Filling every template with distinctive values and asking
Apprise to parse the result gives real URLs of every shape, and Apprise's own list of the
secrets in each; none of them may survive `redact_url`. Parsing only: nothing is sent.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import apprise
import pytest
from apprise.manager_plugins import NotificationManager

from notifiers.apprise_log import private_values
from notifiers.redact import redact_text, redact_url, url_secrets

_TOKEN = re.compile(r"{(\w+)}")
_numbers = itertools.count(1)


def _candidates(name: str, meta: dict[str, Any]) -> list[str]:
    """Values to try for one template token, the most realistic first."""
    if "host" in name:
        return ["alerts.example.org"]
    if name == "port" or meta.get("type") == "int":
        return ["8443"]
    n = next(_numbers)
    if meta.get("private"):
        return [
            f"Sq{n}x7Ka1B2c3D4e5F6g7H8",
            f"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c{n:03d}",
            f"0123abcd-4567-89ab-cdef-0123456{n:05d}",
            f"{n}123456:AAHk9vQxT3sEcReT{n}",
            f"{n}9{n}12345",
        ]
    if str(meta.get("type", "")).startswith("list"):
        return ["#privacy", "+15551234567", "dpo@example.org", "12345678"]
    return ["watcher", "Abc123", "12345"]


def _fill(template: str, tokens: dict[str, Any], schema: str) -> str:
    url = template
    for name in _TOKEN.findall(template):
        if name == "schema":
            value = schema
        else:
            meta = tokens.get(name, {})
            values = _candidates(name, meta)
            pattern = meta.get("regex")
            if pattern:
                flags = re.IGNORECASE if "i" in (pattern[1] if len(pattern) > 1 else "") else 0
                values = [v for v in values if re.match(pattern[0], v, flags)] or values
            value = values[0]
        url = url.replace("{" + name + "}", value, 1)
    return url


def apprise_urls() -> Iterator[tuple[str, set[str]]]:
    """(URL, the values Apprise marks private in it) for every template Apprise parses."""
    manager = NotificationManager()
    manager.load_modules()
    plugins = {id(plugin): plugin for plugin in manager._schema_map.values()}.values()
    for plugin in sorted(plugins, key=lambda p: p.__name__):
        schemas = [getattr(plugin, a, None) for a in ("secure_protocol", "protocol")]
        flat = [s for v in schemas for s in (v if isinstance(v, (list, tuple)) else [v]) if s]
        if not flat:
            continue
        for template in getattr(plugin, "templates", ()):
            url = _fill(template, getattr(plugin, "template_tokens", {}), flat[0])
            parsed = apprise.Apprise.instantiate(url)
            if parsed is not None:
                yield url, {v for v in private_values(parsed) if len(v) >= 3}


@pytest.fixture(scope="module")
def every_apprise_url() -> list[tuple[str, set[str]]]:
    logger = logging.getLogger("apprise")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # the failed attempts are expected and not of interest
    try:
        return list(apprise_urls())
    finally:
        logger.setLevel(level)


def test_no_secret_apprise_knows_of_survives_redaction(
    every_apprise_url: list[tuple[str, set[str]]],
) -> None:
    # Enough shapes to mean something: Apprise 2.3 has ~190 services.
    assert len(every_apprise_url) > 250
    leaks = []
    for url, secrets in every_apprise_url:
        shown = redact_url(url)
        # A '#name' is a channel where Apprise also reads a token; channels stay readable.
        leaked = sorted(s for s in secrets if s in shown and not s.startswith("#"))
        if leaked:
            leaks.append(f"{url} -> {shown} shows {leaked}")
    assert not leaks, "\n".join(leaks)


def test_every_secret_logged_on_its_own_is_redacted(
    every_apprise_url: list[tuple[str, set[str]]],
) -> None:
    """`url_secrets` feeds the log filter: a token quoted alone in a message is hidden too."""
    missing = []
    for url, secrets in every_apprise_url:
        known = url_secrets(url)
        in_url = [s for s in secrets if (s in url or s in unquote(url)) and not s.startswith("#")]
        for secret in in_url:
            if secret in redact_text(f"the token {secret} was rejected", known):
                missing.append(f"{url}: {secret}")
    assert not missing, "\n".join(missing)
