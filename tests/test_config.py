"""sources.yaml: loading, targets, and every kind of error with its file, line and path."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.cli.common import browser_settings
from watcher.config import (
    Config,
    InvalidConfigError,
    format_duration,
    load_config,
    parse_config,
    parse_duration,
)
from watcher.config.urls import expand_url, placeholder_values, redact_credentials
from watcher.errors import ConfigError
from watcher.fetch.base import Action
from watcher.fetch.proxy import Proxy

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHIPPED = PROJECT_ROOT / "sources.yaml"

BASE = """\
regions:
  fr:
    locale: fr-FR
    timezone: Europe/Paris
    accept_language: "fr-FR,fr;q=0.9"
    legal_variant: eu
  uk:
    locale: en-GB
    timezone: Europe/London
    accept_language: "en-GB,en;q=0.9"
    proxy: "socks5://watcher:s3cret-pass@127.0.0.1:1080"
    legal_variant: uk
defaults:
  interval: 6h
  timeout: 45s
  confirm: true
browser:
  max_concurrency: 2
sources:
  - id: fb-genai
    title: Generative AI page
    url: "https://www.facebook.com/privacy/genai/?locale={locale_underscore}"
    regions: [fr, uk]
    select: '[role="main"]'
    remove: ['[role="dialog"]']
    wait_for: h1
    actions:
      - click: '[data-cookiebanner="accept_only_essential_button"]'
        optional: true
      - fill: {selector: "#q", value: "hello"}
      - press: {selector: "#q", key: Enter}
      - wait_for: "#results"
        timeout: 10s
      - scroll: bottom
    interval: 12h
    tags: [genai, objection]
  - id: ai-terms
    title: AI terms
    url: "https://www.facebook.com/legal/{region}-ai-terms?lang={lang}&l={locale}"
    regions: [uk]
    confirm: false
"""


# --- helpers --------------------------------------------------------------------------------------


def variant(old: str, new: str, text: str = BASE) -> str:
    """BASE with one exact fragment replaced (the fragment must exist, so a typo fails loudly)."""
    assert text.count(old) == 1, f"fragment {old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `fragment`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(found) >= occurrence, f"{fragment!r} not found {occurrence} times"
    return found[occurrence - 1]


def write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value


def assert_error(
    error: ConfigError, file: Path, line: int | None, path: str, *fragments: str
) -> None:
    assert error.file == str(file)
    assert error.line == line
    assert error.path == path
    where = f"{file}:{line}" if line is not None else str(file)
    assert str(error).startswith(f"{where}: {path}: " if path else f"{where}: ")
    for fragment in fragments:
        assert fragment in error.message


# --- the shipped sources.yaml ---------------------------------------------------------------------


def test_shipped_sources_yaml_loads_with_targets_for_every_main_region() -> None:
    config = load_config(SHIPPED)
    targets = config.targets()
    assert len(config.sources) >= 8
    assert {"fr", "de", "uk", "us", "br"} <= {t.region_id for t in targets}
    assert len({t.id for t in targets}) == len(targets)
    assert all(t.url.startswith("https://") for t in targets)


def test_shipped_sources_yaml_uses_only_documented_hosts_and_lasting_selectors() -> None:
    config = load_config(SHIPPED)
    hosts = {
        "www.facebook.com",
        "privacycenter.instagram.com",
        "help.instagram.com",
        "help.meta.com",
        "www.whatsapp.com",
    }
    for target in config.targets():
        assert target.url.split("/")[2] in hosts, target.url
        for selector in (*target.select, *target.remove):
            # Generated class names (.x1abc) broke archivers several times a year.
            assert not selector.startswith("."), (target.id, selector)


def test_shipped_regional_ai_terms_are_watched_only_from_their_own_region() -> None:
    by_source = {s.id: s for s in load_config(SHIPPED).sources}
    assert by_source["meta-ai-terms-eu"].regions == ["fr", "de"]
    assert by_source["meta-ai-terms-uk"].regions == ["uk"]
    assert by_source["meta-ai-terms-br"].regions == ["br"]
    assert "/legal/ai-terms" in by_source["meta-ai-terms"].url


def test_shipped_login_only_forms_are_tagged() -> None:
    sources = load_config(SHIPPED).sources
    tagged = {s.id for s in sources if "requires_login" in s.tags}
    assert tagged == {"fb-ai-objection-form", "ig-ai-objection-form"}
    assert all("/contact/" in s.url for s in sources if s.id in tagged)


def test_shipped_regions_differ_in_locale_timezone_and_legal_variant() -> None:
    regions = load_config(SHIPPED).regions
    assert regions["fr"].locale == "fr-FR"
    assert regions["br"].timezone == "America/Sao_Paulo"
    assert {regions[r].legal_variant for r in ("fr", "de", "uk", "us", "br")} == {
        "eu",
        "uk",
        "us",
        "br",
    }
    assert all(region.proxy is None for region in regions.values())


# --- a valid configuration becomes targets --------------------------------------------------------


def test_targets_follow_source_order_then_region_order() -> None:
    config = parse_config(BASE)
    assert [t.id for t in config.targets()] == ["fb-genai@fr", "fb-genai@uk", "ai-terms@uk"]


def test_url_placeholders_expand_per_region() -> None:
    targets = {t.id: t for t in parse_config(BASE).targets()}
    assert targets["fb-genai@fr"].url == "https://www.facebook.com/privacy/genai/?locale=fr_FR"
    assert targets["fb-genai@uk"].url == "https://www.facebook.com/privacy/genai/?locale=en_GB"
    assert (
        targets["ai-terms@uk"].url == "https://www.facebook.com/legal/uk-ai-terms?lang=en&l=en-GB"
    )


def test_expand_url_keeps_escaped_braces_and_rejects_format_tricks() -> None:
    values = placeholder_values("de", "de-DE")
    assert expand_url("https://x.example/{{raw}}/{lang}", values) == "https://x.example/{raw}/de"
    for template in ("https://x/{locale.upper}", "https://x/{lang!r}", "https://x/{lang:>5}"):
        with pytest.raises(ValueError, match="unknown placeholder"):
            expand_url(template, values)


def test_defaults_apply_and_sources_override_them() -> None:
    targets = {t.id: t for t in parse_config(BASE).targets()}
    genai, terms = targets["fb-genai@fr"], targets["ai-terms@uk"]
    assert genai.interval == timedelta(hours=12)
    assert terms.interval == timedelta(hours=6)
    assert genai.timeout == terms.timeout == timedelta(seconds=45)
    assert genai.confirm is True
    assert terms.confirm is False


def test_omitted_sections_take_documented_defaults() -> None:
    text = variant("defaults:\n  interval: 6h\n  timeout: 45s\n  confirm: true\n", "")
    text = variant("browser:\n  max_concurrency: 2\n", "", text)
    config = parse_config(text)
    assert config.defaults.interval == timedelta(hours=6)
    assert config.defaults.timeout == timedelta(seconds=45)
    assert config.browser.max_concurrency == 4
    assert config.browser.context_reuse == "per_region"
    assert config.browser.headless is True
    assert config.browser.executable_path is None
    limits = browser_settings(config).limits
    assert (limits.max_page_bytes, limits.max_dom_nodes) == (10 * 1024 * 1024, 200_000)
    assert limits.max_text_chars == 2_000_000


@pytest.mark.parametrize(
    ("written", "size"),
    [
        ("10MB", 10_485_760),
        ("500KB", 512_000),
        ("1.5MB", 1_572_864),
        ("1GB", 1024**3),
        ("300000", 300_000),
        ("20 MiB", 20_971_520),
        ("512kb", 524_288),
    ],
)
def test_page_limits_are_read_into_the_browser_settings(written: str, size: int) -> None:
    text = variant(
        "  max_concurrency: 2\n",
        f"  max_concurrency: 2\n  max_page_bytes: {written}\n"
        "  max_dom_nodes: 50_000\n  max_text_chars: 3000000\n",
    )
    limits = browser_settings(parse_config(text)).limits
    assert limits.max_page_bytes == size
    assert limits.max_dom_nodes == 50_000
    assert limits.max_text_chars == 3_000_000


def test_target_fields_and_fetch_request() -> None:
    target = parse_config(BASE).targets()[1]
    assert target.select == ('[role="main"]',)
    assert target.remove == ('[role="dialog"]',)
    assert target.tags == ("genai", "objection")
    assert target.region.legal_variant == "uk"
    request = target.to_fetch_request()
    assert request.target_id == "fb-genai@uk"
    assert request.url == target.url
    assert (request.locale, request.timezone) == ("en-GB", "Europe/London")
    assert request.accept_language == "en-GB,en;q=0.9"
    assert request.proxy == Proxy("socks5", "127.0.0.1", 1080, "watcher", "s3cret-pass")
    assert "s3cret" not in repr(request) and "s3cret" not in repr(target)
    assert request.wait_for == "h1"
    assert request.timeout_s == 45.0
    assert tuple(request.actions) == target.actions


def test_actions_map_to_fetch_actions() -> None:
    actions = parse_config(BASE).targets()[0].actions
    assert actions == (
        Action(
            "click",
            selector='[data-cookiebanner="accept_only_essential_button"]',
            optional=True,
            timeout_s=5.0,
        ),
        Action("fill", selector="#q", value="hello"),
        Action("press", selector="#q", value="Enter"),
        Action("wait_for", selector="#results", timeout_s=10.0),
        Action("scroll", value="bottom"),
    )


def test_select_may_be_a_list_and_targets_without_one_get_empty_tuples() -> None:
    text = variant("select: '[role=\"main\"]'", "select: ['main', '#root']")
    targets = parse_config(text).targets()
    assert targets[0].select == ("main", "#root")
    assert targets[2].select == () and targets[2].actions == () and targets[2].wait_for is None


def test_yaml_anchors_aliases_and_merge_keys_are_understood() -> None:
    text = variant(
        "  - id: ai-terms\n    title: AI terms\n",
        "  - &terms\n    id: ai-terms\n    title: AI terms\n",
    )
    text += "  - <<: *terms\n    id: ai-terms-copy\n    regions: [fr]\n"
    targets = {t.id: t for t in parse_config(text).targets()}
    assert targets["ai-terms-copy@fr"].title == "AI terms"
    assert targets["ai-terms-copy@fr"].confirm is False
    assert "ai-terms-copy@uk" not in targets


# --- durations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("45s", timedelta(seconds=45)),
        ("10m", timedelta(minutes=10)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize(
    "text", ["", "6", "h", "6 h", "1.5h", "30m1h", "-5m", "6H", "1w", "9999999d"]
)
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration"):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    assert format_duration(timedelta(0)) == "0s"


# --- errors: each names file, line and path -------------------------------------------------------


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    text = variant("    wait_for: h1\n", "    wait_for: [h1\n")
    error = load_error(tmp_path, text)
    assert error.file == str(tmp_path / "sources.yaml")
    assert error.line is not None and error.line >= line_of(text, "wait_for: [h1")
    assert error.path == ""
    assert "YAML syntax error at column" in error.message


def test_tab_indentation_is_a_syntax_error_on_its_line(tmp_path: Path) -> None:
    text = variant("  confirm: true\n", "\tconfirm: true\n")
    error = load_error(tmp_path, text)
    assert error.line == line_of(text, "\tconfirm")
    assert "YAML syntax error" in error.message


def test_unknown_key_names_allowed_keys_and_closest(tmp_path: Path) -> None:
    text = variant("    title: AI terms\n", "    titel: AI terms\n")
    error = load_error(tmp_path, text)
    # Both problems are reported: the missing `title` (at the entry) comes first in the file.
    assert_error(
        error, tmp_path / "sources.yaml", line_of(text, "- id: ai-terms"), "sources[1].title"
    )
    assert isinstance(error, InvalidConfigError)
    unknown = error.more[0]
    assert_error(
        unknown,
        tmp_path / "sources.yaml",
        line_of(text, "titel"),
        "sources[1].titel",
        "unknown key 'titel'",
        "did you mean 'title'?",
        "allowed keys: id, title, url, regions",
    )


def test_unknown_key_in_region_and_action(tmp_path: Path) -> None:
    text = variant("    legal_variant: eu\n", "    legal_varient: eu\n")
    text = variant("      - scroll: bottom\n", "      - scrol: bottom\n", text)
    error = load_error(tmp_path, text)
    file = tmp_path / "sources.yaml"
    assert_error(
        error, file, line_of(text, "legal_varient"), "regions.fr.legal_varient", "'legal_variant'"
    )
    assert isinstance(error, InvalidConfigError)
    assert_error(
        error.more[0], file, line_of(text, "scrol:"), "sources[0].actions[4].scrol", "'scroll'"
    )


def test_misspelt_subscriptions_key_is_named(tmp_path: Path) -> None:
    # Subscriptions themselves are tested in tests/test_subscriptions_config.py.
    text = BASE + "subscription:\n  - id: ops\n"
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "subscription:"),
        "subscription",
        "unknown key 'subscription'; did you mean 'subscriptions'?",
        "allowed keys: regions, defaults, browser, politeness, sources, subscriptions",
    )


def test_missing_required_key_points_at_its_mapping(tmp_path: Path) -> None:
    text = variant("    timezone: Europe/London\n", "")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "  uk:"),
        "regions.uk.timezone",
        "required key 'timezone' is missing",
    )


def test_missing_sources_section(tmp_path: Path) -> None:
    text = BASE[: BASE.index("sources:")]
    error = load_error(tmp_path, text)
    assert_error(error, tmp_path / "sources.yaml", 1, "sources", "required key 'sources'")


def test_wrong_type(tmp_path: Path) -> None:
    text = variant("  max_concurrency: 2\n", "  max_concurrency: two\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "max_concurrency"),
        "browser.max_concurrency",
        "expected a whole number, got 'two'",
    )


def test_wrong_type_for_a_section(tmp_path: Path) -> None:
    text = variant("    regions: [uk]\n", "    regions: uk\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "regions: uk"),
        "sources[1].regions",
        "expected a list, got 'uk'",
    )


def test_boolean_where_a_name_belongs_explains_yaml_yes_no(tmp_path: Path) -> None:
    text = variant("    regions: [uk]\n", "    regions: [uk, no]\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "[uk, no]"),
        "sources[1].regions[1]",
        "'no', which YAML reads as the boolean false",
        'quote it: "no"',
    )


def test_region_key_no_is_kept_as_a_name() -> None:
    text = variant("  uk:\n", "  no:\n")
    text = text.replace("regions: [fr, uk]", "regions: [fr, 'no']").replace(
        "regions: [uk]", "regions: ['no']"
    )
    assert [t.id for t in parse_config(text).targets()][-1] == "ai-terms@no"


def test_bad_url(tmp_path: Path) -> None:
    text = variant(
        '"https://www.facebook.com/legal/{region}-ai-terms?lang={lang}&l={locale}"',
        '"ftp://www.facebook.com/legal/terms"',
    )
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "ftp://"),
        "sources[1].url",
        "expected an absolute http(s) URL",
        "ftp://www.facebook.com/legal/terms",
    )


def test_url_without_host(tmp_path: Path) -> None:
    text = variant('"https://www.facebook.com/privacy/genai/?', '"https:///privacy/genai/?')
    error = load_error(tmp_path, text)
    assert_error(
        error, tmp_path / "sources.yaml", line_of(text, "https:///"), "sources[0].url", "no host"
    )


def test_unknown_url_placeholder(tmp_path: Path) -> None:
    text = variant("?locale={locale_underscore}", "?locale={country}")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "{country}"),
        "sources[0].url",
        "unknown placeholder {country}",
        "{locale_underscore}",
    )


def test_unbalanced_brace_in_url(tmp_path: Path) -> None:
    text = variant("?locale={locale_underscore}", "?locale={locale_underscore")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, '{locale_underscore"'),
        "sources[0].url",
        "brace",
    )


def test_unknown_region_in_source_suggests_the_closest(tmp_path: Path) -> None:
    text = variant("    regions: [fr, uk]\n", "    regions: [fr, gb, fx]\n")
    error = load_error(tmp_path, text)
    file = tmp_path / "sources.yaml"
    line = line_of(text, "[fr, gb, fx]")
    assert_error(error, file, line, "sources[0].regions[1]", "unknown region 'gb'", "known: fr, uk")
    assert isinstance(error, InvalidConfigError)
    assert_error(error.more[0], file, line, "sources[0].regions[2]", "did you mean 'fr'?")


def test_region_listed_twice_in_a_source(tmp_path: Path) -> None:
    text = variant("    regions: [fr, uk]\n", "    regions: [fr, uk, fr]\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "[fr, uk, fr]"),
        "sources[0].regions[2]",
        "listed twice",
    )


def test_duplicate_source_id(tmp_path: Path) -> None:
    text = variant("  - id: ai-terms\n", "  - id: fb-genai\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "- id: fb-genai", 2),
        "sources[1].id",
        "duplicate source id 'fb-genai'",
        f"sources[0] at line {line_of(text, '- id: fb-genai')}",
    )


def test_duplicate_region_key_is_detected(tmp_path: Path) -> None:
    # PyYAML alone would silently keep the second `fr`.
    text = variant("  uk:\n", "  fr:\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "  fr:", 2),
        "regions.fr",
        "duplicate key 'fr'",
        f"first defined at line {line_of(text, '  fr:')}",
    )


def test_duplicate_key_inside_a_source(tmp_path: Path) -> None:
    text = variant("    confirm: false\n", "    confirm: false\n    confirm: true\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "confirm: true", 2),
        "sources[1].confirm",
        "duplicate key 'confirm'",
    )


def test_bad_duration(tmp_path: Path) -> None:
    text = variant("  timeout: 45s\n", "  timeout: 45 seconds\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "45 seconds"),
        "defaults.timeout",
        "expected a duration like '30s'",
    )


def test_duration_written_as_a_bare_number(tmp_path: Path) -> None:
    text = variant("    interval: 12h\n", "    interval: 12\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "interval: 12"),
        "sources[0].interval",
        "got 12",
    )


def test_interval_below_one_minute(tmp_path: Path) -> None:
    text = variant("    interval: 12h\n", "    interval: 30s\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "interval: 30s"),
        "sources[0].interval",
        "interval must be at least 1m, got 30s",
    )


def test_timeout_out_of_range(tmp_path: Path) -> None:
    text = variant("  timeout: 45s\n", "  timeout: 11m\n")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "timeout: 11m"),
        "defaults.timeout",
        "between 1s and 10m",
    )


def test_bad_timezone_suggests_the_real_zone(tmp_path: Path) -> None:
    text = variant("Europe/Paris", "Europe/Pariss")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "Pariss"),
        "regions.fr.timezone",
        "unknown time zone 'Europe/Pariss'",
        "did you mean 'Europe/Paris'?",
    )


@pytest.mark.parametrize(
    ("old", "new", "path", "fragment"),
    [
        ("locale: fr-FR", "locale: fr_FR", "regions.fr.locale", "use '-', not '_'"),
        ("  fr:\n", "  FR:\n", "regions.FR", "bad region id 'FR'"),
        (
            'accept_language: "fr-FR,fr;q=0.9"',
            'accept_language: ""',
            "regions.fr.accept_language",
            "Accept-Language",
        ),
        (
            "legal_variant: eu",
            "legal_variant: europe",
            "regions.fr.legal_variant",
            "'eu', 'uk', 'br', 'us' or 'other'",
        ),
        ("  max_concurrency: 2", "  max_concurrency: 17", "browser.max_concurrency", "at most 16"),
        ("  max_concurrency: 2", "  max_concurrency: 0", "browser.max_concurrency", "at least 1"),
        (
            "  max_concurrency: 2",
            "  context_reuse: per_regoin",
            "browser.context_reuse",
            "did you mean 'per_region'?",
        ),
        ("  max_concurrency: 2", "  headless: 'yes'", "browser.headless", "expected true or false"),
        (
            "  max_concurrency: 2",
            "  max_page_bytes: ten",
            "browser.max_page_bytes",
            "expected a size like '500KB', '10MB', '1GB' or a number of bytes, got 'ten'",
        ),
        (
            "  max_concurrency: 2",
            "  max_page_bytes: 12KB",
            "browser.max_page_bytes",
            "between 256 KB and 1 GB, got 12 KB",
        ),
        ("  max_concurrency: 2", "  max_page_bytes: 2GB", "browser.max_page_bytes", "1 GB"),
        ("  max_concurrency: 2", "  max_page_bytes: yes", "browser.max_page_bytes", "boolean"),
        ("  max_concurrency: 2", "  max_page_bytes: 10.5", "browser.max_page_bytes", "got 10.5"),
        ("  max_concurrency: 2", "  max_dom_nodes: 10", "browser.max_dom_nodes", "at least 5000"),
        (
            "  max_concurrency: 2",
            "  max_text_chars: 2MB",
            "browser.max_text_chars",
            "expected a whole number, got '2MB'",
        ),
        (
            "  max_concurrency: 2",
            "  max_page_byte: 10MB",
            "browser.max_page_byte",
            "did you mean 'max_page_bytes'?",
        ),
        ("  - id: ai-terms", "  - id: AI terms", "sources[1].id", "bad source id"),
        ("  - id: ai-terms", "  - id: ai@terms", "sources[1].id", "bad source id"),
        ("    regions: [uk]", "    regions: []", "sources[1].regions", "must not be empty"),
        ("    wait_for: h1", "    wait_for: ''", "sources[0].wait_for", "must not be empty"),
        (
            "      - scroll: bottom",
            "      - scroll: top",
            "sources[0].actions[4].scroll",
            "expected 'bottom'",
        ),
        (
            "      - scroll: bottom",
            "      - {}",
            "sources[0].actions[4]",
            "exactly one of click, fill",
        ),
        (
            "      - scroll: bottom",
            "      - {click: a, scroll: bottom}",
            "sources[0].actions[4]",
            "found click, scroll",
        ),
        (
            '      - press: {selector: "#q", key: Enter}',
            '      - press: {selector: "#q"}',
            "sources[0].actions[2].press.key",
            "required key 'key'",
        ),
        (
            "        timeout: 10s",
            "        timeout: 0s",
            "sources[0].actions[3].timeout",
            "between 1s and 10m",
        ),
    ],
)
def test_field_errors(tmp_path: Path, old: str, new: str, path: str, fragment: str) -> None:
    text = variant(old, new)
    error = load_error(tmp_path, text)
    assert_error(error, tmp_path / "sources.yaml", line_of(text, new.strip()), path, fragment)


def test_proxy_errors_never_show_the_password(tmp_path: Path) -> None:
    text = variant("socks5://watcher:s3cret-pass@", "ftp://watcher:s3cret-pass@")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "ftp://"),
        "regions.uk.proxy",
        "must start with http://, https://, socks5://",
    )
    assert "s3cret" not in str(error)


@pytest.mark.parametrize(
    "proxy", ["http://127.0.0.1:3128", "https://proxy.example.net", "socks5://u:p%40ss@[::1]:1080"]
)
def test_valid_proxies(proxy: str) -> None:
    text = variant("socks5://watcher:s3cret-pass@127.0.0.1:1080", proxy)
    assert parse_config(text).regions["uk"].proxy == Proxy.from_url(proxy)


def test_proxy_with_a_path_is_rejected_without_leaking(tmp_path: Path) -> None:
    text = variant("@127.0.0.1:1080", "@127.0.0.1:1080/x@y")
    error = load_error(tmp_path, text)
    assert error.path == "regions.uk.proxy"
    assert "s3cret" not in str(error)


def test_redact_credentials_handles_at_signs_in_passwords() -> None:
    assert redact_credentials("http://u:p@ss@host:1/") == "http://***@host:1/"
    assert redact_credentials("x 'socks 5://u:pw@h' y") == "x 'socks 5://***@h' y"
    assert redact_credentials("see 'https://host/path'") == "see 'https://host/path'"


def test_mangled_proxy_never_shows_the_password(tmp_path: Path) -> None:
    for mangled in (
        "socks 5://watcher:s3cret-pass@",
        "socks5:/watcher:s3cret-pass@",
        "watcher:s3cret-pass@",
        "socks5://watcher:s3cret-pass",
    ):
        text = variant("socks5://watcher:s3cret-pass@", mangled)
        error = load_error(tmp_path, text)
        assert error.path == "regions.uk.proxy"
        assert "s3cret" not in str(error), mangled


def test_empty_sources(tmp_path: Path) -> None:
    text = BASE[: BASE.index("sources:")] + "sources: []\n"
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "sources: []"),
        "sources",
        "must not be empty",
    )


def test_empty_regions(tmp_path: Path) -> None:
    text = "regions: {}\n" + BASE[BASE.index("defaults:") :]
    error = load_error(tmp_path, text)
    assert_error(error, tmp_path / "sources.yaml", 1, "regions", "must not be empty")
    # Sources naming regions that do not exist are reported too, after it.
    assert isinstance(error, InvalidConfigError)
    assert any("unknown region 'fr'" in more.message for more in error.more)


@pytest.mark.parametrize("text", ["- regions\n- sources\n", "just a string\n", "42\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    error = load_error(tmp_path, text)
    assert_error(
        error, tmp_path / "sources.yaml", 1, "", "expected a mapping with the keys regions"
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n", "~\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    error = load_error(tmp_path, text)
    assert error.file == str(tmp_path / "sources.yaml")
    assert error.line == 1
    assert "empty" in error.message or "null" in error.message


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(missing)
    assert_error(caught.value, missing, None, "", "file not found")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert_error(caught.value, tmp_path, None, "", "is a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    path.chmod(0)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert_error(caught.value, path, None, "", "permission denied")


def test_path_through_a_file_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, BASE) / "inner.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert_error(caught.value, path, None, "", "cannot read the file")


@pytest.mark.parametrize("tagged", ["!!int fr-FR", "!vault fr-FR", "!!float fr-FR"])
def test_explicit_yaml_tags_that_cannot_be_read(tmp_path: Path, tagged: str) -> None:
    text = variant("locale: fr-FR", f"locale: {tagged}")
    error = load_error(tmp_path, text)
    assert_error(
        error, tmp_path / "sources.yaml", line_of(text, tagged), "regions.fr.locale", "cannot read"
    )
    # The unreadable value is not reported a second time as "wrong type".
    assert isinstance(error, InvalidConfigError)
    assert not error.more


def test_device_is_refused_without_reading_it() -> None:
    # Before: read until memory ran out, then a MemoryError traceback.
    with pytest.raises(ConfigError) as caught:
        load_config("/dev/zero")
    assert_error(caught.value, Path("/dev/zero"), None, "", "is a character device")


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    # Before: open() blocked until some process wrote to the FIFO, i.e. forever.
    fifo = tmp_path / "sources.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError) as caught:
        load_config(fifo)
    assert_error(caught.value, fifo, None, "", "is a named pipe (FIFO), not a regular file")


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "#" + "x" * (1024 * 1024) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert_error(caught.value, path, None, "", "is larger than 1 MiB, the limit for a YAML file")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(BASE.encode().replace(b"AI terms", b"AI t\xe9rms"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert_error(caught.value, path, line_of(BASE, "title: AI terms"), "", "not UTF-8", "0xe9")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert len(load_config(path).targets()) == 3


def test_forbidden_control_character(tmp_path: Path) -> None:
    text = variant("title: AI terms", "title: AI\x07terms")
    error = load_error(tmp_path, text)
    assert error.line == line_of(text, "AI\x07terms")
    assert "character" in error.message


def test_recursive_alias_is_an_error_not_a_hang(tmp_path: Path) -> None:
    text = variant("    tags: [genai, objection]\n", "    tags: &loop [*loop]\n")
    error = load_error(tmp_path, text)
    assert error.line == line_of(text, "&loop")
    assert error.path.startswith("sources[0].tags")


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, previous in zip("bcdefgh", "abcdefg", strict=True):
        bomb += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    error = load_error(tmp_path, bomb)
    assert "more than" in error.message


def test_all_problems_are_reported_in_file_order(tmp_path: Path) -> None:
    text = variant("Europe/Paris", "Mars/Olympus")
    text = variant("  timeout: 45s\n", "  timeout: soon\n", text)
    text = variant("    regions: [uk]\n", "    regions: [xx]\n", text)
    error = load_error(tmp_path, text)
    assert isinstance(error, InvalidConfigError)
    assert [e.path for e in error.all] == [
        "regions.fr.timezone",
        "defaults.timeout",
        "sources[1].regions[0]",
    ]
    assert [e.line for e in error.all] == sorted(e.line or 0 for e in error.all)
    assert str(error) == str(error.all[0])


def test_same_input_gives_the_same_first_error(tmp_path: Path) -> None:
    text = variant("  timeout: 45s\n", "  timeout: soon\n")
    text = variant("    title: AI terms\n", "    titel: AI terms\n", text)
    first = {str(load_error(tmp_path, text)) for _ in range(3)}
    assert len(first) == 1


# --- select_targets -------------------------------------------------------------------------------


def test_select_targets_by_target_and_source_ids_in_config_order() -> None:
    config = parse_config(BASE)
    assert [t.id for t in config.select_targets(["ai-terms@uk", "fb-genai"])] == [
        "fb-genai@fr",
        "fb-genai@uk",
        "ai-terms@uk",
    ]
    assert [t.id for t in config.select_targets(["fb-genai@uk,fb-genai@uk"])] == ["fb-genai@uk"]
    assert config.select_targets([]) == []


def test_select_targets_unknown_id_names_close_matches() -> None:
    config = parse_config(BASE, file="sources.yaml")
    with pytest.raises(ConfigError) as caught:
        config.select_targets(["fb-genai@de"])
    error = caught.value
    assert error.path == "--only"
    assert error.file == "sources.yaml"
    assert "unknown target or source 'fb-genai@de'" in error.message
    assert "fb-genai@fr" in error.message and "fb-genai@uk" in error.message
    with pytest.raises(ConfigError, match="did you mean ai-terms"):
        config.select_targets(["ai-term"])


def test_config_is_a_plain_value() -> None:
    config = parse_config(BASE)
    assert isinstance(config, Config)
    assert parse_config(BASE).targets() == config.targets()


# --- robustness: mutated configurations load or fail with ConfigError, nothing else ---------------

_BASE_LINES = BASE.splitlines(keepends=True)
_TOKENS = [
    "",
    " ",
    "  ",
    "\t",
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "<<: *a",
    "!!int ",
    "!tag ",
    "'",
    '"',
    "#",
    "no",
    "~",
    "0",
    "-1",
    "1e9",
    "6h",
    "0s",
    "fr",
    "zz",
    "{region}",
    "{x}",
    "ftp://",
    "https://",
    "@",
    "%",
    "---",
    "...",
    "? ",
    "|",
    ">",
    "\x00",
    "é",
    "2024-01-01",
]


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    lines = list(_BASE_LINES)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(
            st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "cut"])
        )
        index = draw(st.integers(0, len(lines) - 1))
        if operation == "delete" and len(lines) > 1:
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "insert":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(_TOKENS)) + line[at:]
        elif operation == "replace":
            line = lines[index]
            at = draw(st.integers(0, max(0, len(line) - 1)))
            span = draw(st.integers(0, 6))
            lines[index] = line[:at] + draw(st.sampled_from(_TOKENS)) + line[at + span :]
        elif operation == "cut":
            lines = lines[: max(1, index)]
    return "".join(lines)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["fr", "uk", "6h", "0s", "https://x.example/{lang}", "{nope}", "bottom"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def structurally_mutated_texts(draw: st.DrawFn) -> str:
    data = yaml.safe_load(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()):
            parent[path[-1]] = draw(_VALUES)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _load_or_config_error(text: str) -> None:
    try:
        config = parse_config(text, file="mutated.yaml")
    except ConfigError as error:
        assert error.file == "mutated.yaml"
        assert error.message
        assert "s3cret" not in str(error)
        for more in getattr(error, "more", ()):
            assert "s3cret" not in str(more)
        return
    # Whatever loads must also produce targets and fetch requests without raising.
    for target in config.targets():
        target.to_fetch_request()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_texts())
def test_text_mutations_load_or_raise_config_error(text: str) -> None:
    _load_or_config_error(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structurally_mutated_texts())
def test_structural_mutations_load_or_raise_config_error(text: str) -> None:
    _load_or_config_error(text)
