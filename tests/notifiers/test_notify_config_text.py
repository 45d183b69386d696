"""Apprise configuration text → URLs, with nothing of the text ever logged, at any level.

Apprise logs the whole text it is given at DEBUG ("Loading raw configuration: ...") and quotes
the lines it rejects; plugins quote the tokens they reject. Passwords written as YAML keys are
not URL-shaped, so no redaction could catch them: the records must not reach any handler.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator

import pytest

from notifiers.apprise_log import guard_handler, silenced
from notifiers.config_text import AppriseConfigTextError, urls_from_config_text

YAML_KEY_PASSWORD = "YamlKeyPassZx71qW"
BOT_TOKEN = "555666777:AAYamlBotTokenPq22LkMn"
JSON_PASSWORD = "JsonPw0rdQq81Lx"
SHADOW_HASH = "$y$j9T$SecretHashOfRootZZ91$"

KEYED_YAML = f"""\
urls:
  - mailtos://mail.example.org:
      user: alerts
      pass: {YAML_KEY_PASSWORD}
      to: dpo@example.org
      tag: dpo
  - tgram://:
      bot_token: {BOT_TOKEN}
      targets: "12345"
      tag: ngo
  - json://watcher:{JSON_PASSWORD}@127.0.0.1:9/hook:
      tag: ngo
"""
TEXT_FORM = f"ngo=json://watcher:{JSON_PASSWORD}@127.0.0.1:9/hook\ndpo=tgram://{BOT_TOKEN}/42\n"
SHADOW = f"root:{SHADOW_HASH}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
PASSWD = "root:x:0:0:root:/root:/bin/bash\nRootLineMarker7:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
SECRETS = (YAML_KEY_PASSWORD, BOT_TOKEN, "AAYamlBotTokenPq22LkMn", JSON_PASSWORD, SHADOW_HASH)


@pytest.fixture
def debug_output() -> Iterator[io.StringIO]:
    """Everything logged anywhere, at DEBUG, as `watcher -vv` shows it (a guarded handler)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    guard_handler(handler)
    root, apprise_logger = logging.getLogger(), logging.getLogger("apprise")
    levels = (root.level, apprise_logger.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    apprise_logger.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        apprise_logger.setLevel(levels[1])


def assert_quotes_nothing(text: str, *also: str) -> None:
    for secret in (*SECRETS, *also):
        assert secret not in text, text


def test_yaml_with_secrets_as_keys_gives_urls_and_logs_none_of_it(
    debug_output: io.StringIO,
) -> None:
    urls = urls_from_config_text(KEYED_YAML, ["ngo"])

    assert len(urls) == 2
    assert urls[0].startswith(f"tgram://{BOT_TOKEN.replace(':', '%3A')}/12345/")
    assert urls_from_config_text(KEYED_YAML, ["dpo"])[0].startswith(
        f"mailtos://alerts:{YAML_KEY_PASSWORD}@mail.example.org"
    )
    logged = debug_output.getvalue()
    assert "Loading raw configuration" not in logged
    assert_quotes_nothing(logged, "pass:", "bot_token:")


def test_text_form_gives_urls_and_logs_none_of_it(debug_output: io.StringIO) -> None:
    assert urls_from_config_text(TEXT_FORM, ["ngo"]) == [
        f"json://watcher:{JSON_PASSWORD}@127.0.0.1:9/hook?method=POST&overflow=upstream"
        "&retry=0&wait=0.5&optional=no"
    ]
    assert_quotes_nothing(debug_output.getvalue())


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (PASSWD, None, "is not an Apprise configuration (expected Apprise's YAML form"),
        (SHADOW, None, "holds no notification URL (expected Apprise's YAML form"),
        ("just some words\nand more\n", 1, "is not an Apprise configuration"),
        ("urls: [: nonsense\n", 1, "is not valid YAML"),
        ("", None, "holds no notification URL"),
        ("version: 2\nurls:\n  - json://127.0.0.1:9/a\n", None, "has a 'version:' other than 1"),
        ("include https://example.org/more.yml\n", 1, "'include' is not followed"),
        (
            f"ngo=json://watcher:{JSON_PASSWORD}@127.0.0.1:9/a\n# note\ntgramx://{BOT_TOKEN}/1\n",
            3,
            "Apprise cannot use this entry",
        ),
        (
            "urls:\n  - json://127.0.0.1:9/a\n"
            f"  - tgram://:\n      bot_token: {YAML_KEY_PASSWORD}\n",
            3,
            "Apprise cannot use entry #2 of 'urls:'",
        ),
    ],
    ids=[
        "passwd",
        "shadow",
        "words",
        "bad-yaml",
        "empty",
        "version",
        "include",
        "text-entry",
        "yaml-entry",
    ],
)
def test_what_cannot_be_used_is_said_without_quoting_the_text(
    debug_output: io.StringIO, text: str, line: int | None, reason: str
) -> None:
    with pytest.raises(AppriseConfigTextError) as caught:
        urls_from_config_text(text)
    assert caught.value.line == line
    assert reason in caught.value.reason
    for shown in (str(caught.value), debug_output.getvalue()):
        assert_quotes_nothing(shown, "RootLineMarker7", "/bin/bash", "nonsense", "more.yml")


def test_tags_that_select_nothing() -> None:
    with pytest.raises(AppriseConfigTextError) as caught:
        urls_from_config_text(TEXT_FORM, ["nobody", "noone"])
    assert caught.value.reason == "has no entry with the tags nobody, noone"


def test_records_of_other_threads_pass_while_a_parse_is_silenced(
    debug_output: io.StringIO,
) -> None:
    """The gate holds back the parsing context's records only, and opening Apprise's DEBUG
    level for the parse shows no other thread's DEBUG records."""
    apprise_logger = logging.getLogger("apprise")
    apprise_logger.setLevel(logging.WARNING)
    inside, done = threading.Event(), threading.Event()
    held_back: list[str] = []

    def parse() -> None:
        with silenced() as held:
            apprise_logger.debug("held back: parsing %s", YAML_KEY_PASSWORD)
            inside.set()
            done.wait(10)
        held_back.extend(record.message for record in held)

    worker = threading.Thread(target=parse)
    worker.start()
    try:
        assert inside.wait(10)
        apprise_logger.warning("another send failed: error=503")
        apprise_logger.debug("a debug line of another thread")
    finally:
        done.set()
        worker.join(10)

    logged = debug_output.getvalue()
    assert "another send failed: error=503" in logged
    assert "a debug line of another thread" not in logged
    assert YAML_KEY_PASSWORD not in logged
    assert held_back == [f"held back: parsing {YAML_KEY_PASSWORD}"]
    assert apprise_logger.level == logging.WARNING  # the DEBUG window closed again
