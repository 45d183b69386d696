"""The `subscriptions:` section: strict validation with file, line and path, secrets never shown.

`watcher.config` checks the values; whether Apprise can use a URL or an `apprise_config:` file is
checked at the alerts edge (`resolve_subscriptions`), with the same file, line and key path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.alerts import resolve_subscriptions
from watcher.config import InvalidConfigError, load_config, parse_config
from watcher.errors import ConfigError

SLACK_SECRET = "xq7Zp3SecretWebhookTail9K"
TELEGRAM_TOKEN = "123456789:AAHk9vQxT3sEcReTtOkEnZ2m7pL0wQ8rYbC"
SMTP_PASSWORD = "Sm7pPa55w0rdSecret"

SOURCES = """\
regions:
  fr:
    locale: fr-FR
    timezone: Europe/Paris
    accept_language: "fr-FR,fr;q=0.9"
  de:
    locale: de-DE
    timezone: Europe/Berlin
    accept_language: "de-DE,de;q=0.9"
  us:
    locale: en-US
    timezone: America/New_York
    accept_language: "en-US,en;q=0.9"
sources:
  - id: fb-genai
    title: Generative AI page
    url: "https://www.facebook.com/privacy/genai/"
    regions: [fr, de]
  - id: fb-policy
    title: Privacy Policy
    url: "https://www.facebook.com/privacy/policy/"
    regions: [fr, de, us]
"""

SUBSCRIPTIONS = f"""\
subscriptions:
  - id: newsroom-slack
    urls: "slack://T01WORKSPC/B02SECRETBB/{SLACK_SECRET}/#privacy"
    regions: [fr, de]
    min_severity: high
  - id: dpo-mail
    urls:
      - "mailto://alerts:{SMTP_PASSWORD}@mail.example.org?to=dpo@example.org"
      - "tgram://{TELEGRAM_TOKEN}/987654321"
    sources: [fb-genai]
    kinds: [opt_out_changed, legal_basis_changed]
    mode: digest
  - id: ngo-hourly
    apprise_config: alerts.yml
    tags: [ngo]
    mode: digest
    digest: hourly
"""

APPRISE_FILE = """\
urls:
  - json://127.0.0.1:9/ngo-hook:
      tag: ngo
  - json://127.0.0.1:9/other-hook:
      tag: other
"""


def write(tmp_path: Path, text: str, apprise_file: str | None = APPRISE_FILE) -> Path:
    if apprise_file is not None:
        (tmp_path / "alerts.yml").write_text(apprise_file, encoding="utf-8")
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def with_subscriptions(block: str) -> str:
    return SOURCES + "subscriptions:\n" + block


def parse_error(text: str) -> InvalidConfigError:
    with pytest.raises(InvalidConfigError) as caught:
        parse_config(text, file="sources.yaml")
    return caught.value


def line_of(text: str, fragment: str) -> int:
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert found, f"{fragment!r} not in the text"
    return found[0]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (SLACK_SECRET, TELEGRAM_TOKEN, SMTP_PASSWORD, "AAHk9vQxT3"):
            assert secret not in text, text


# --- what a valid section gives -------------------------------------------------------------------


def test_subscriptions_load_with_their_filters_modes_and_channels(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SOURCES + SUBSCRIPTIONS))
    slack, mail, ngo = config.subscriptions

    assert slack.id == "newsroom-slack"
    assert slack.urls == [f"slack://T01WORKSPC/B02SECRETBB/{SLACK_SECRET}/#privacy"]
    assert (slack.regions, slack.min_severity, slack.mode) == (["fr", "de"], "high", "immediate")
    assert slack.sources == [] and slack.kinds == []

    assert mail.urls is not None and len(mail.urls) == 2
    assert mail.kinds == ["opt_out_changed", "legal_basis_changed"]
    assert (mail.mode, mail.digest_period) == ("digest", "daily")
    assert mail.redacted_urls == (
        "mailto://alerts:***@mail.example.org?to=dpo@example.org",
        "tgram://***/987654321",
    )

    assert (ngo.apprise_config, ngo.tags, ngo.digest_period) == ("alerts.yml", ["ngo"], "hourly")
    assert ngo.redacted_urls == ()


def test_no_subscriptions_section_means_none() -> None:
    assert parse_config(SOURCES).subscriptions == ()


def test_config_reads_no_apprise_file_and_checks_no_url_with_apprise(tmp_path: Path) -> None:
    # Values only: the file named by apprise_config is read at the alerts edge.
    text = SOURCES + SUBSCRIPTIONS.replace("tgram://", "tgramx://")
    config = load_config(write(tmp_path, text, apprise_file=None))
    assert config.subscriptions[2].apprise_config == "alerts.yml"
    with pytest.raises(InvalidConfigError) as caught:
        resolve_subscriptions(config)
    assert [e.path for e in caught.value.all] == [
        "subscriptions[1].urls[1]",
        "subscriptions[2].apprise_config",
    ]


# --- mistakes, each at its line and path ----------------------------------------------------------


def test_unknown_source_and_region_in_filters_are_errors_with_suggestions() -> None:
    text = with_subscriptions(
        "  - id: a\n"
        "    urls: json://127.0.0.1:9/a\n"
        "    sources: [fb-genaii]\n"
        "    regions: [fr, xx]\n"
    )
    error = parse_error(text)
    assert (error.line, error.path) == (line_of(text, "fb-genaii"), "subscriptions[0].sources[0]")
    assert "unknown source 'fb-genaii'; did you mean 'fb-genai'?" in error.message
    (region,) = error.more
    assert (region.line, region.path) == (line_of(text, "[fr, xx]"), "subscriptions[0].regions[1]")
    assert "unknown region 'xx'" in region.message and "known: de, fr, us" in region.message


def test_unknown_finding_kind_and_severity() -> None:
    text = with_subscriptions(
        "  - id: a\n"
        "    urls: json://127.0.0.1:9/a\n"
        "    kinds: [opt_out_change]\n"
        "    min_severity: critical\n"
    )
    error = parse_error(text)
    assert error.path == "subscriptions[0].kinds[0]"
    assert "unknown finding kind 'opt_out_change'; did you mean 'opt_out_changed'?" in str(error)
    (severity,) = error.more
    assert (severity.line, severity.path) == (
        line_of(text, "critical"),
        "subscriptions[0].min_severity",
    )
    assert "expected 'low', 'medium' or 'high'" in severity.message


def test_a_subscription_needs_exactly_one_kind_of_channel() -> None:
    neither = parse_error(with_subscriptions("  - id: a\n    regions: [fr]\n"))
    both = parse_error(
        with_subscriptions("  - id: a\n    urls: json://127.0.0.1:9/a\n    apprise_config: x.yml\n")
    )
    for error in (neither, both):
        assert error.path == "subscriptions[0]"
        assert "exactly one of 'urls' or 'apprise_config'" in error.message


def test_tags_need_an_apprise_file_and_digest_needs_digest_mode() -> None:
    tags = parse_error(
        with_subscriptions("  - id: a\n    urls: json://h.example/a\n    tags: [x]\n")
    )
    assert "'tags' select entries of an 'apprise_config' file" in tags.message
    digest = parse_error(
        with_subscriptions("  - id: a\n    urls: json://h.example/a\n    digest: hourly\n")
    )
    assert "'digest' only applies with 'mode: digest'" in digest.message


def test_mode_and_digest_period_are_checked() -> None:
    text = with_subscriptions(
        "  - id: a\n    urls: json://h.example/a\n    mode: digst\n    digest: weekly\n"
    )
    error = parse_error(text)
    messages = [e.message for e in error.all]
    assert any("got 'digst'; did you mean 'digest'?" in m for m in messages)
    assert any("expected 'hourly' or 'daily', got 'weekly'" in m for m in messages)


def test_duplicate_ids_and_repeated_urls() -> None:
    text = with_subscriptions(
        "  - id: ops\n"
        f"    urls: [tgram://{TELEGRAM_TOKEN}/1, tgram://{TELEGRAM_TOKEN}/1]\n"
        "  - id: ops\n"
        "    urls: json://h.example/a\n"
    )
    error = parse_error(text)
    assert error.path == "subscriptions[0].urls[1]"
    assert "tgram://***/1 is listed twice" in error.message
    (duplicate,) = error.more
    assert duplicate.path == "subscriptions[1].id"
    assert f"also subscriptions[0] at line {line_of(text, '- id: ops')}" in duplicate.message
    assert_no_secret(*(str(e) for e in error.all))


def test_filters_that_no_target_can_meet_are_an_error() -> None:
    text = with_subscriptions(
        "  - id: a\n    urls: json://h.example/a\n    sources: [fb-genai]\n    regions: [us]\n"
    )
    error = parse_error(text)
    assert error.path == "subscriptions[0].regions"
    assert "no target matches" in error.message and "they are in: de, fr" in error.message


def test_bad_ids_empty_lists_and_unknown_keys() -> None:
    text = with_subscriptions("  - id: Ops Team\n    urls: []\n    filter: {regions: [fr]}\n")
    messages = {e.path: e.message for e in parse_error(text).all}
    assert "bad subscription id 'Ops Team'" in messages["subscriptions[0].id"]
    assert messages["subscriptions[0].urls"] == "must not be empty"
    assert "unknown key 'filter'" in messages["subscriptions[0].filter"]


def test_subscriptions_must_be_a_list() -> None:
    error = parse_error(SOURCES + "subscriptions:\n  id: a\n")
    assert (error.path, error.message) == ("subscriptions", "expected a list, got a mapping")


# --- secrets --------------------------------------------------------------------------------------


def resolve_error(text: str) -> InvalidConfigError:
    with pytest.raises(InvalidConfigError) as caught:
        resolve_subscriptions(parse_config(text, file="sources.yaml"))
    return caught.value


def test_an_unusable_url_is_reported_without_its_secret() -> None:
    text = with_subscriptions(
        "  - id: a\n"
        f"    urls: ['tgramx://{TELEGRAM_TOKEN}/987', 'slack://T01WORKSPC/{SLACK_SECRET}']\n"
        "  - id: b\n"
        f"    urls: 'tgramx://{TELEGRAM_TOKEN}/1'\n"
    )
    error = resolve_error(text)
    assert [(e.path, e.line) for e in error.all] == [
        ("subscriptions[0].urls[0]", line_of(text, "tgramx://")),
        ("subscriptions[0].urls[1]", line_of(text, "tgramx://")),
        ("subscriptions[1].urls[0]", line_of(text, "urls: 'tgramx://")),
    ]
    assert error.file == "sources.yaml"
    assert "not a usable notification URL" in error.message and "tgramx://***/987" in error.message
    assert_no_secret(*(str(e) for e in error.all))


@pytest.mark.parametrize(
    "block",
    [
        # A URL where a list of tags belongs is still a secret.
        f"  - id: a\n    apprise_config: x.yml\n    tags: 'tgram://{TELEGRAM_TOKEN}/1'\n",
        f"  - id: a\n    urls: json://h.example/a\n    mode: 'slack://T1/B2/{SLACK_SECRET}'\n",
        f"  - id: a\n    urls: json://h.example/a\n    regions: ['mailto://u:{SMTP_PASSWORD}@h.example']\n",
    ],
)
def test_a_url_quoted_in_any_subscription_error_is_redacted(block: str) -> None:
    error = parse_error(with_subscriptions(block))
    assert_no_secret(*(str(e) for e in error.all))
    assert "***" in " ".join(e.message for e in error.all)


# --- Apprise config files -------------------------------------------------------------------------


def resolve_file_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        resolve_subscriptions(load_config(path))
    return caught.value


def test_apprise_file_entries_become_channels(tmp_path: Path) -> None:
    (_, _, ngo) = resolve_subscriptions(load_config(write(tmp_path, SOURCES + SUBSCRIPTIONS)))
    assert [d.label for d in ngo.destinations] == [
        "json://127.0.0.1:9/ngo-hook?method=POST&overflow=upstream&retry=0&wait=0.5&optional=no"
    ]


def test_missing_apprise_file_is_reported_at_its_key(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCES + SUBSCRIPTIONS, apprise_file=None)
    error = resolve_file_error(path)
    assert error.file == str(path)
    assert error.path == "subscriptions[2].apprise_config"
    assert error.line == line_of(SOURCES + SUBSCRIPTIONS, "apprise_config: alerts.yml")
    assert error.message == f"Apprise config file {tmp_path / 'alerts.yml'}: file not found"


def test_apprise_file_whose_tags_select_nothing(tmp_path: Path) -> None:
    text = (SOURCES + SUBSCRIPTIONS).replace("tags: [ngo]", "tags: [nobody]")
    error = resolve_file_error(write(tmp_path, text))
    assert error.message.endswith("alerts.yml: has no entry with the tags nobody")


def test_apprise_file_that_is_not_yaml_names_its_line(tmp_path: Path) -> None:
    error = resolve_file_error(write(tmp_path, SOURCES + SUBSCRIPTIONS, "urls: [: nonsense\n"))
    assert error.path == "subscriptions[2].apprise_config"
    assert error.message.endswith("alerts.yml, line 1: is not valid YAML")


@pytest.mark.parametrize("content", ["", "# nothing here\n", "urls: []\n"])
def test_apprise_file_without_urls(tmp_path: Path, content: str) -> None:
    error = resolve_file_error(write(tmp_path, SOURCES + SUBSCRIPTIONS, content))
    assert "alerts.yml: holds no notification URL" in error.message


def test_an_entry_apprise_cannot_use_is_an_error_at_its_line(tmp_path: Path) -> None:
    # Apprise would skip it and go on with the others; a channel that silently sends nowhere
    # is worse than an error at start-up.
    apprise_file = APPRISE_FILE + f"  - tgram://{TELEGRAM_TOKEN}:\n      tag: ngo\n"
    apprise_file += "  - tgramx://123:AAbad/1:\n      tag: ngo\n"
    error = resolve_file_error(write(tmp_path, SOURCES + SUBSCRIPTIONS, apprise_file))
    line = line_of(apprise_file, "tgramx://")
    assert f"alerts.yml, line {line}: Apprise cannot use entry #4 of 'urls:'" in error.message
    assert "tgramx" not in error.message and "AAbad" not in error.message
