"""Proxy URLs in sources.yaml: parsed once into `Proxy`, credentials decoded, never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config import BASE, assert_error, line_of, load_error, variant

from watcher.cli.main import main
from watcher.config import parse_config
from watcher.fetch.proxy import Proxy

CONFIGURED = "socks5://watcher:s3cret-pass@127.0.0.1:1080"


def test_credentials_are_percent_decoded_and_kept_apart_from_the_server() -> None:
    proxy = Proxy.from_url(
        "http://us%40er:p%40ss%3Aw%2Fo%3Fr%23d%25%20%C3%A9@proxy.example.net:3128"
    )
    assert (proxy.username, proxy.password) == ("us@er", "p@ss:w/o?r#d% é")
    assert proxy.server == "http://proxy.example.net:3128"
    assert proxy.display == "http://us%40er:***@proxy.example.net:3128"
    for shown in (str(proxy), repr(proxy), proxy.display):
        assert "p@ss" not in shown and "p%40ss" not in shown


def test_an_at_sign_left_unencoded_still_splits_at_the_last_one() -> None:
    proxy = Proxy.from_url("http://user:p@ss@127.0.0.1:3128")
    assert (proxy.username, proxy.password, proxy.host) == ("user", "p@ss", "127.0.0.1")


def test_ipv6_hosts_default_ports_and_proxies_without_credentials() -> None:
    socks = Proxy.from_url("socks5://u:p@[::1]")
    assert (socks.host, socks.port, socks.effective_port) == ("::1", None, 1080)
    assert socks.server == "socks5://[::1]"
    plain = Proxy.from_url("https://proxy.example.net")
    assert not plain.has_credentials
    assert plain.display == plain.server == "https://proxy.example.net"
    assert plain.effective_port == 443
    token_only = Proxy.from_url("http://api-token@127.0.0.1:8080")
    assert token_only.display == "http://api-token@127.0.0.1:8080"


def test_two_accounts_on_one_proxy_are_different_values() -> None:
    first = Proxy.from_url("http://a:one@127.0.0.1:3128")
    second = Proxy.from_url("http://a:two@127.0.0.1:3128")
    assert first != second and hash(first) != hash(second)
    assert repr(first) == repr(second)  # what is printed cannot tell them apart


def test_the_parsed_config_and_its_targets_never_show_the_password() -> None:
    config = parse_config(BASE)
    region = config.regions["uk"]
    assert region.proxy == Proxy("socks5", "127.0.0.1", 1080, "watcher", "s3cret-pass")
    shown = [
        repr(config),
        repr(config.targets()),
        repr([t.to_fetch_request() for t in config.targets()]),
        str(region.model_dump()),
        region.model_dump_json(),
    ]
    for text in shown:
        assert "s3cret" not in text
    assert region.model_dump()["proxy"] == "socks5://watcher:***@127.0.0.1:1080"


def test_validate_lists_targets_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(BASE)
    assert main(["validate", "--config", str(path)]) == 0
    captured = capsys.readouterr()
    assert "fb-genai@uk" in captured.out
    assert "s3cret" not in captured.out + captured.err


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("socks5://watcher:s3cret/pass@127.0.0.1:1080", "percent-encoded"),
        ("socks5://watcher:s3cret#pass@127.0.0.1:1080", "percent-encoded"),
        ("socks5://watcher:s3cret%ffpass@127.0.0.1:1080", "not valid percent-encoded UTF-8"),
        ("socks5://:s3cret-pass@127.0.0.1:1080", "a password but no user name"),
        ("http://wat%3Acher:s3cret-pass@127.0.0.1:3128", "cannot contain ':'"),
        (f"socks5://watcher:s3cret{'x' * 250}@127.0.0.1:1080", "at most 255 bytes"),
        ("socks4://watcher:s3cret-pass@127.0.0.1:1080", "must start with http://"),
    ],
)
def test_bad_proxy_urls_are_located_and_never_quoted(
    tmp_path: Path, written: str, fragment: str
) -> None:
    text = variant(CONFIGURED, written)
    error = load_error(tmp_path, text)
    assert_error(
        error, tmp_path / "sources.yaml", line_of(text, "proxy:"), "regions.uk.proxy", fragment
    )
    assert "s3cret" not in str(error)
    assert "watcher:" not in str(error)


def test_a_proxy_that_is_not_a_string(tmp_path: Path) -> None:
    text = variant(f'"{CONFIGURED}"', "3128")
    error = load_error(tmp_path, text)
    assert_error(
        error,
        tmp_path / "sources.yaml",
        line_of(text, "proxy: 3128"),
        "regions.uk.proxy",
        "expected a string, got the number 3128",
    )
