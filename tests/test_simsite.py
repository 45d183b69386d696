"""The simulated Meta site: pure rendering, ground truth, HTTP behaviour and a real browser."""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from watcher.simsite import (
    CHANGE_KINDS,
    EPOCHS,
    LATEST_VERSION,
    PAGES,
    Mode,
    NoiseOptions,
    SimulatedMetaSite,
    expected_changes,
    legal_variant,
    page_text,
    render_page,
    resolve_locale,
)
from watcher.simsite.catalog import PAGE_CONTENT
from watcher.simsite.resolve import resolve_page

WATCHED_PAGES = [page_id for page_id, spec in PAGES.items() if spec.kind != "login"]
LOCALE_OF_LANGUAGE = {"en": "en_US", "fr": "fr_FR", "de": "de_DE", "pt": "pt_BR"}
EU_OBJECTION_FR = "Vous avez le droit de vous opposer"


def render(page_id: str, seed: int = 1, **options: Any) -> str:
    arguments: dict[str, Any] = {"version": 1, "region": "fr", "locale": "fr_FR"}
    arguments.update(options)
    return render_page(page_id, rng=random.Random(seed), **arguments)


def payload(document: str) -> dict[str, Any]:
    """The JSON the page script renders into the main region."""
    match = re.search(
        r'<script type="application/json" id="__sim_data"[^>]*>(.*?)</script>', document
    )
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def payload_text(document: str) -> str:
    """Visible text the page script would render (all text parts and link texts)."""
    pieces: list[str] = []
    for block in payload(document)["blocks"]:
        for part in block.get("p", []):
            pieces.append(part if isinstance(part, str) else part["t"])
        pieces.extend(item["t"] for item in block.get("items", []))
        pieces.extend(field["l"] for field in block.get("fields", []))
    return " ".join(" ".join(pieces).split())


# ---- pure rendering ---------------------------------------------------------------------------


def test_render_page_is_deterministic_for_a_fixed_rng() -> None:
    assert render("privacy_policy", seed=7) == render("privacy_policy", seed=7)


def test_two_seeds_give_different_markup_but_the_same_noise_free_text() -> None:
    first, second = render("genai", seed=1), render("genai", seed=2)
    assert first != second
    quiet = NoiseOptions.none()
    assert render("genai", seed=1, noise=quiet) == render("genai", seed=2, noise=quiet)


@pytest.mark.parametrize(
    ("noise_name", "page_id", "region", "locale"),
    [
        ("nonces", "genai", "fr", "fr_FR"),
        ("form_tokens", "genai", "fr", "fr_FR"),
        ("spin_timestamp", "genai", "fr", "fr_FR"),
        ("request_ids", "genai", "fr", "fr_FR"),
        ("asset_hashes", "genai", "fr", "fr_FR"),
        ("class_names", "genai", "fr", "fr_FR"),
        ("tracking_params", "genai", "fr", "fr_FR"),
        ("outbound_wrapping", "privacy_policy", "fr", "fr_FR"),
        ("printable_links", "privacy_policy", "fr", "fr_FR"),
        ("cdn_signatures", "genai", "fr", "fr_FR"),
        ("relative_time", "genai", "fr", "fr_FR"),
        ("related_articles", "help_ai_objection", "fr", "fr_FR"),
        ("whitespace", "genai", "fr", "fr_FR"),
        ("annotation_links", "privacy_policy", "fr", "fr_FR"),
        ("english_flip", "privacy_center", "us", "en_US"),
    ],
)
def test_each_noise_generator_varies_on_its_own(
    noise_name: str, page_id: str, region: str, locale: str
) -> None:
    only = NoiseOptions.only(noise_name)
    renderings = {
        render(page_id, seed=seed, noise=only, region=region, locale=locale, version=4)
        for seed in range(8)
    }
    assert len(renderings) > 1, f"{noise_name} never changed the page"


def test_every_noise_generator_is_covered_and_unknown_names_are_refused() -> None:
    assert len(NoiseOptions.names()) == 15
    assert NoiseOptions.only() == NoiseOptions.none()
    with pytest.raises(ValueError, match="unknown noise"):
        NoiseOptions.only("sparkles")


def test_noise_looks_like_metas() -> None:
    document = render("privacy_policy", seed=3, version=1)
    assert re.search(r'<script [^>]*nonce="[A-Za-z0-9]{8}"', document)
    assert re.search(r'name="lsd" value="AV', document)
    assert re.search(r'name="fb_dtsg" value="NA', document)
    assert '"__spin_t":' in document and '"hsi":"7' in document
    assert re.search(r"/rsrc\.php/v3/y[A-Za-z]/r/[\w-]{11}\.js", document)
    assert re.search(r'class="(x[0-9a-z]{5,7} ?)+"', document)
    hrefs = [
        part["h"]
        for seed in range(3, 9)
        for block in payload(render("privacy_policy", seed=seed, version=1))["blocks"]
        for part in block.get("p", [])
        if isinstance(part, dict)
    ]
    assert any(href.startswith("/l.php?u=https%3A%2F%2Fwww.dataprotection.ie") for href in hrefs)
    # The printable policy's form: the wrapper percent-encoded (once or twice) into the path.
    printable = [h for h in hrefs if h.startswith("/privacy/policy/printable/https%")]
    assert any("lm.facebook.com" in unquote(unquote(h)) for h in printable)
    assert any("%253A" in h for h in printable) and any("%3Fu=" in h for h in printable)
    assert any(
        re.search(r"__cft__\[0\]|__tn__|fbclid|locale2|entry_point|back_id", h) for h in hrefs
    )


def test_without_javascript_the_main_region_is_empty() -> None:
    document = render("genai")
    assert re.search(r'<div role="main" class="[^"]*"></div>', document)
    assert "Votre droit d'opposition" not in document.split('id="__sim_data"')[0]
    assert EU_OBJECTION_FR in payload_text(document)


def main_html(document: str) -> str:
    match = re.search(
        r'<div role="main" class="[^"]*">(.*?)</div>\s*<div role="contentinfo"', document, re.S
    )
    assert match is not None
    return match.group(1)


def test_as_rendered_fills_the_main_region_and_changes_nothing_else() -> None:
    shell = render("genai", seed=4, version=7)
    rendered = render("genai", seed=4, version=7, as_rendered=True)
    assert main_html(shell) == ""
    assert "<h1 " in main_html(rendered) and EU_OBJECTION_FR in main_html(rendered)
    assert rendered.replace(main_html(rendered), "", 1) == shell


def test_the_script_json_cannot_close_its_script_element() -> None:
    document = render("privacy_policy")
    data_script = document.split('id="__sim_data"')[1].split("</script>")[0]
    assert "<" not in data_script


def test_the_title_is_the_first_block_and_an_h1() -> None:
    blocks = payload(render("genai", noise=NoiseOptions.none()))["blocks"]
    assert blocks[0]["k"] == "h1"
    assert blocks[0]["p"] == [
        "Comment Meta utilise les informations pour les modèles et fonctionnalités d'IA générative"
    ]


def test_english_flips_between_us_and_british_renderings() -> None:
    quiet = NoiseOptions.none()
    us = payload_text(render("privacy_policy", noise=quiet, region="us", locale="en_US", version=6))
    gb = payload_text(render("privacy_policy", noise=quiet, region="us", locale="en_GB", version=6))
    assert "Effective December 16, 2025" in us and "personalize" in us
    assert "Effective 16 December 2025" in gb and "personalise" in gb
    center = payload_text(render("privacy_center", noise=quiet, region="us", locale="en_GB"))
    assert "Privacy Centre" in center and "Privacy Center" not in center


def test_pages_have_realistic_sizes() -> None:
    for page_id in WATCHED_PAGES:
        spec = PAGES[page_id]
        size = len(render(page_id, version=LATEST_VERSION).encode()) / 1024
        if spec.kind == "policy":
            assert 80 <= size <= 140, (page_id, size)
        elif spec.kind == "form":
            assert 8 <= size <= 40, (page_id, size)
        else:
            assert 10 <= size <= 45, (page_id, size)


def test_legal_variants_and_locales() -> None:
    assert [legal_variant(r) for r in ("fr", "de", "ie", "uk", "gb", "br", "us", "kr")] == [
        "eu", "eu", "eu", "uk", "uk", "br", "us", "us",
    ]  # fmt: skip
    assert resolve_locale("fr_FR", "de-DE") == "fr_FR"
    assert resolve_locale(None, "de-DE,de;q=0.9,en;q=0.8") == "de_DE"
    assert resolve_locale(None, "ja;q=1, pt-BR;q=0.5") == "pt_BR"
    assert resolve_locale(None, "en-GB") == "en_GB"
    assert resolve_locale("ja_JP", "fr-FR") == "en_US"
    assert resolve_locale(None, None) == "en_US"


def test_render_modes_change_the_document() -> None:
    quiet = NoiseOptions.none()
    normal = payload_text(render("privacy_policy", noise=quiet, version=4))
    truncated = payload_text(render("privacy_policy", noise=quiet, version=4, mode=Mode.TRUNCATED))
    assert 0 < len(truncated) < 0.1 * len(normal)
    for page_id in WATCHED_PAGES:
        full = payload_text(render(page_id, noise=quiet, version=LATEST_VERSION))
        short = payload_text(
            render(page_id, noise=quiet, version=LATEST_VERSION, mode=Mode.TRUNCATED)
        )
        if len(full) > 2000:
            assert len(short) < 0.1 * len(full), page_id
    assert payload(render("genai", mode=Mode.EMPTY))["blocks"] == []
    assert payload(render("genai", mode=Mode.CONSENT_STUCK))["consentWorks"] is False
    wrong = payload_text(render("genai", noise=quiet, mode=Mode.WRONG_REGION))
    assert EU_OBJECTION_FR not in wrong and "Région européenne" not in wrong
    assert 'role="dialog"' not in render("genai", mode=Mode.WRONG_REGION)


def test_consent_dialog_wording_and_where_it_shows() -> None:
    before = render("genai", region="uk", locale="en_GB", version=6)
    after = render("genai", region="uk", locale="en_GB", version=7)
    assert 'role="dialog"' in before and "Allow all cookies" in before
    assert "Accept All" in after and "Allow all cookies" not in after
    assert 'role="dialog"' not in render("genai", region="us", locale="en_US")
    assert 'role="dialog"' not in render("genai", consent_given=True)


def test_pages_before_they_exist_say_so() -> None:
    document = render("privacy_support", version=6, region="uk", locale="en_GB")
    assert "This content isn't available right now" in payload_text(document)
    assert page_text("privacy_support", 6, "uk").startswith("Privacy support")


# ---- ground truth -----------------------------------------------------------------------------


def test_expected_changes_match_every_visible_step() -> None:
    """Every step that changes what a reader sees has expected changes, and only those do."""
    problems: list[tuple[object, ...]] = []
    for page_id in WATCHED_PAGES:
        content = PAGE_CONTENT[PAGES[page_id].content]
        for variant in ("eu", "uk", "br", "us"):
            for language in content.languages:
                for version in range(LATEST_VERSION):
                    old = resolve_page(page_id, version, variant, language, "US")
                    new = resolve_page(page_id, version + 1, variant, language, "US")
                    changes = expected_changes(
                        page_id, version, version + 1, variant, LOCALE_OF_LANGUAGE[language]
                    )
                    if (old.outline() != new.outline()) != bool(changes):
                        problems.append((page_id, variant, language, version, changes))
                    scripted = [
                        change
                        for change in content.changes
                        if change.version == version + 1 and variant in change.variants
                    ]
                    if len(changes) != len(scripted):
                        problems.append((page_id, variant, language, version, "lost evidence"))
    assert problems == []


def test_expected_changes_carry_checkable_evidence() -> None:
    changes = expected_changes("privacy_policy", 5, 6, "us")
    assert {change.kind for change in changes} == {"effective_date_changed", "data_use_expanded"}
    assert all(change.kind in CHANGE_KINDS for change in changes)
    dated = next(change for change in changes if change.kind == "effective_date_changed")
    assert dated.evidence == "Effective December 16, 2025"
    assert dated.alternatives == ("Effective 16 December 2025",)
    british = page_text("privacy_policy", 6, "us", "en_GB")
    assert dated.found_in(british) and dated.evidence not in british
    french = expected_changes("genai", 0, 1, "fr", "fr_FR")
    opt_out = next(change for change in french if change.kind == "opt_out_changed")
    assert opt_out.link == "/help/contact/6359191084165019"
    assert opt_out.evidence in page_text("genai", 1, "fr", "fr_FR")


def test_expected_changes_over_several_versions_keep_what_is_still_true() -> None:
    changes = expected_changes("genai", 0, LATEST_VERSION, "fr")
    links = {change.link for change in changes if change.kind == "opt_out_changed"}
    assert links == {"/support/privacy/"}
    assert not any(change.kind == "region_restriction" for change in changes)
    uk = expected_changes("genai", 1, 3, "uk")
    assert {change.kind for change in uk} == {"data_use_expanded", "legal_basis_changed"}
    assert expected_changes("genai", 2, 2, "fr") == []
    assert expected_changes("genai", 4, 5, "fr") == []  # camera roll is US-only
    with pytest.raises(ValueError, match="after"):
        expected_changes("genai", 3, 1, "fr")
    with pytest.raises(ValueError, match="version"):
        expected_changes("genai", 0, LATEST_VERSION + 1, "fr")


def test_manifest_and_timeline() -> None:
    assert [epoch.version for epoch in EPOCHS] == list(range(LATEST_VERSION + 1)) == list(range(8))
    assert EPOCHS[4].date.isoformat() == "2025-04-14"
    assert PAGES["genai"].path == "/privacy/genai/"
    assert PAGES["objection_form_2024"].path == "/help/contact/6359191084165019"
    assert PAGES["objection_form_2025"].path == "/help/contact/712876720715583"
    assert PAGES["help_ai_objection"].path == "/help/2069235856423257"
    assert PAGES["ai_terms"].languages == ("en_US", "en_GB")
    assert len({spec.path for spec in PAGES.values()}) == len(PAGES)


# ---- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_site() -> Iterator[SimulatedMetaSite]:
    with SimulatedMetaSite(render_delay_ms=20, seed=5) as site:
        yield site


@pytest.fixture
def site(shared_site: SimulatedMetaSite) -> SimulatedMetaSite:
    shared_site.reset()
    return shared_site


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(
    site: SimulatedMetaSite,
    path: str,
    region: str | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> tuple[int, dict[str, str], str]:
    """GET through the region's egress proxy (or straight to the main listener)."""
    proxies = {"http": site.egress_proxy(region)} if region else {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies), _NoRedirects)
    request = urllib.request.Request(site.base_url + path, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def control(site: SimulatedMetaSite, operation: str, method: str = "POST") -> tuple[int, Any]:
    status, _, body = fetch(site, f"/__sim__/{operation}", method=method)
    return status, json.loads(body)


def test_each_egress_serves_its_regions_legal_variant(site: SimulatedMetaSite) -> None:
    site.set_version("genai", 1)
    _, _, france = fetch(site, "/privacy/genai/?locale=fr_FR", region="fr")
    assert EU_OBJECTION_FR in payload_text(france)
    assert "/help/contact/6359191084165019" in france
    _, _, usa = fetch(site, "/privacy/genai/?locale=fr_FR", region="us")
    _, _, main = fetch(site, "/privacy/genai/?locale=fr_FR")
    for document in (usa, main):
        assert EU_OBJECTION_FR not in payload_text(document)
        assert "/help/contact/" not in document
    _, _, uk = fetch(site, "/privacy/genai/", region="uk")
    assert "If you live in the UK" in payload_text(uk)
    site.set_version("genai", 2)
    _, _, brazil = fetch(site, "/privacy/genai/?locale=pt_BR", region="br")
    assert "suspendemos o uso de informações de pessoas no Brasil" in payload_text(brazil)
    assert site.state()["requests"]["genai"] == {"fr": 1, "us": 2, "uk": 1, "br": 1}


def test_language_follows_locale_then_accept_language(site: SimulatedMetaSite) -> None:
    french_title = "Politique de confidentialité"
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    _, _, by_query = fetch(site, "/privacy/policy/?locale=fr_FR", "de", german)
    _, _, by_locale2 = fetch(site, "/privacy/policy/?locale2=fr_FR", "de", german)
    _, _, by_header = fetch(site, "/privacy/policy/", "de", german)
    _, _, unsupported = fetch(site, "/privacy/policy/?locale=ja_JP", "de", german)
    assert french_title in by_query and french_title in by_locale2
    assert "Datenschutzrichtlinie" in by_header and 'lang="de"' in by_header
    assert "<title>Privacy Policy | Facebook</title>" in unsupported


def test_noise_varies_between_two_requests(site: SimulatedMetaSite) -> None:
    _, _, first = fetch(site, "/privacy/policy/", "fr")
    _, _, second = fetch(site, "/privacy/policy/", "fr")
    assert first != second
    quiet_first = page_text("privacy_policy", 0, "fr")
    assert "If you live in the European Region" in quiet_first


@pytest.mark.parametrize(
    ("mode", "status", "marker"),
    [
        ("rate_limited", 429, "Too many requests"),
        ("blocked", 200, "You're Temporarily Blocked"),
        ("http_error", 500, "Sorry, something went wrong."),
    ],
)
def test_failure_modes(site: SimulatedMetaSite, mode: str, status: int, marker: str) -> None:
    site.set_mode("help_ai_ads", mode)
    code, headers, body = fetch(site, "/help/2418562390215074", "uk")
    assert (code, marker in body) == (status, True)
    if mode == "rate_limited":
        assert headers["Retry-After"] == "60"
    if mode == "blocked":
        assert "going too fast" in body


def test_login_wall_redirects_and_is_per_region(site: SimulatedMetaSite) -> None:
    site.set_version(None, 4)
    site.set_mode("objection_form_2025", "login_wall", region="fr")
    code, headers, _ = fetch(site, "/help/contact/712876720715583?locale=fr_FR", "fr")
    assert code == 302
    assert (
        headers["Location"] == "/login/?next=%2Fhelp%2Fcontact%2F712876720715583%3Flocale%3Dfr_FR"
    )
    _, _, login = fetch(site, headers["Location"], "fr", {"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Connectez-vous pour continuer" in login and 'name="pass"' in login
    _, _, english_login = fetch(site, "/login/?next=%2F", "fr")
    assert "Log in to continue" in english_login
    code, _, form = fetch(site, "/help/contact/712876720715583", "de")
    assert code == 200 and '"n":"reason","t":"textarea"' in form


def test_form_page_has_fields_and_regional_notice(site: SimulatedMetaSite) -> None:
    site.set_version("objection_form_2024", 1)
    _, _, document = fetch(site, "/help/contact/6359191084165019", "uk")
    form = next(block for block in payload(document)["blocks"] if block["k"] == "form")
    assert [field["n"] for field in form["fields"]] == ["country", "email", "reason"]
    assert "only available in certain regions" in payload_text(document)


def test_render_modes_over_http(site: SimulatedMetaSite) -> None:
    site.set_version("genai", 1)
    site.set_mode("genai", "empty", region="fr")
    _, _, empty = fetch(site, "/privacy/genai/", "fr")
    assert payload(empty)["blocks"] == []
    site.set_mode("genai", "wrong_region")
    _, _, wrong = fetch(site, "/privacy/genai/", "de")
    assert "European Region" not in payload_text(wrong)
    _, _, still_empty = fetch(site, "/privacy/genai/", "fr")
    assert payload(still_empty)["blocks"] == []  # the per-region mode wins
    site.set_mode("genai", "normal")
    _, _, normal = fetch(site, "/privacy/genai/", "fr")
    assert "European Region" in payload_text(normal)


def test_consent_cookie_hides_the_dialog(site: SimulatedMetaSite) -> None:
    _, _, with_dialog = fetch(site, "/privacy/policy/", "uk")
    _, _, without = fetch(site, "/privacy/policy/", "uk", {"Cookie": "sim_consent=all"})
    assert 'role="dialog"' in with_dialog and 'role="dialog"' not in without


def test_unpublished_and_unknown_pages_answer_404(site: SimulatedMetaSite) -> None:
    code, _, body = fetch(site, "/support/privacy/", "uk")
    assert code == 404 and "This content isn't available right now" in body
    site.set_version("privacy_support", 7)
    assert fetch(site, "/support/privacy/", "uk")[0] == 200
    assert fetch(site, "/no/such/page", "uk")[0] == 404


def test_assets_images_and_link_wrapper(site: SimulatedMetaSite) -> None:
    code, headers, _ = fetch(site, "/rsrc.php/v3/yA/r/abcdefghijk.js", "fr")
    assert code == 200 and headers["Content-Type"] == "application/javascript"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(site.base_url + "/cdn/v/t39.30808-6/1_n.jpg?oh=00_x&oe=6A", timeout=5) as r:
        assert r.read().startswith(b"GIF89a")
    _, _, leaving = fetch(site, "/l.php?u=https%3A%2F%2Fico.org.uk%2F&h=ATxyz", "uk")
    assert "https://ico.org.uk/" in leaving


def test_egress_never_goes_beyond_the_simulated_site(site: SimulatedMetaSite) -> None:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": site.egress_proxy("fr")})
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open("http://example.invalid/privacy/genai/", timeout=5)
    assert refused.value.code == 502
    assert fetch(site, "/privacy/genai/", method="CONNECT")[0] == 405
    with pytest.raises(KeyError):
        site.egress_proxy("zz")


def test_control_api_over_http(site: SimulatedMetaSite) -> None:
    assert control(site, "advance?page=genai") == (200, {"versions": {"genai": 1}})
    status, body = control(site, "advance")
    assert status == 200 and body["versions"]["genai"] == 2 and body["versions"]["ai_terms"] == 1
    assert control(site, "version?page=genai&v=7")[1] == {"versions": {"genai": 7}}
    assert control(site, "advance?page=genai")[1] == {"versions": {"genai": 7}}
    status, body = control(site, "mode?page=genai&mode=blocked&region=uk")
    assert body["modes"] == [{"page": "genai", "region": "uk", "mode": "blocked"}]
    assert "You're Temporarily Blocked" in fetch(site, "/privacy/genai/", "uk")[2]
    status, state = control(site, "state", method="GET")
    assert state["versions"]["genai"] == 7 and state["requests"]["genai"] == {"uk": 1}
    assert control(site, "version?page=genai&v=99")[0] == 400
    assert control(site, "mode?page=genai&mode=sleepy")[0] == 400
    assert control(site, "version?page=nope&v=1")[0] == 400
    assert control(site, "advance", method="GET")[0] == 405
    assert control(site, "reset")[1]["versions"]["genai"] == 0
    assert site.state()["modes"] == [] and site.version_of("genai") == 0


def test_hang_holds_requests_until_the_site_stops() -> None:
    site = SimulatedMetaSite(regions=("fr",), render_delay_ms=0).start()
    outcome: list[str] = []

    def hanging_request() -> None:
        try:
            fetch(site, "/privacy/genai/", "fr")
            outcome.append("finished")
        except Exception as error:  # the connection is cut when the site stops
            outcome.append(type(error).__name__)

    try:
        site.set_mode("genai", Mode.HANG)
        worker = threading.Thread(target=hanging_request)
        worker.start()
        while site.request_count("genai", "fr") == 0:
            worker.join(timeout=0.01)
        worker.join(timeout=0.3)
        assert worker.is_alive()  # still hanging
        assert fetch(site, "/privacy/policy/", "fr")[0] == 200  # others are served meanwhile
    finally:
        started = time.monotonic()
        site.stop()
        stop_seconds = time.monotonic() - started
    worker.join(timeout=5)
    assert not worker.is_alive() and outcome and outcome != ["finished"]
    assert stop_seconds < 3


def test_concurrent_control_and_requests_stay_consistent(site: SimulatedMetaSite) -> None:
    statuses: list[int] = []

    def client() -> None:
        for _ in range(5):
            statuses.append(fetch(site, "/privacy/genai/", "fr")[0])

    workers = [threading.Thread(target=client) for _ in range(3)]
    for worker in workers:
        worker.start()
    for _ in range(LATEST_VERSION):
        site.advance("genai")
    for worker in workers:
        worker.join(timeout=10)
    assert statuses == [200] * 15
    assert site.version_of("genai") == LATEST_VERSION
    assert site.request_count("genai") == 15


def test_command_line_runs_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "watcher.simsite", "--port", "0", "--regions", "fr,us"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert base is not None, first
        proxies = [process.stdout.readline() for _ in range(3)]
        assert proxies[1].split()[0] == "fr" and proxies[2].split()[0] == "us"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(base.group(0) + "/__sim__/state", timeout=10) as response:
            assert "genai" in json.loads(response.read())["versions"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


# ---- in a real browser -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _playwright_has_its_own_browser() -> bool:
    cache = Path.home() / ".cache" / "ms-playwright"
    return cache.is_dir() and any(cache.glob("chromium*"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    use_system = Path(CHROMIUM).exists() or bool(shutil.which("chromium"))
    if not use_system and not _playwright_has_its_own_browser():
        pytest.skip(f"no Chromium: neither {CHROMIUM} nor Playwright's own browser is installed")
    with sync_api.sync_playwright() as playwright:
        options: dict[str, Any] = {"args": CHROMIUM_ARGS}
        if use_system:
            options["executable_path"] = (
                CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
            )
        launched = playwright.chromium.launch(**options)
        yield launched
        launched.close()


@pytest.mark.browser
def test_browser_renders_the_content_only_with_javascript(
    browser: Any, site: SimulatedMetaSite
) -> None:
    with_js = browser.new_context()
    without_js = browser.new_context(java_script_enabled=False)
    try:
        page = with_js.new_page()
        page.goto(site.url("privacy_policy"))
        page.wait_for_selector("[role=main] [role=separator]")
        assert page.inner_text("[role=main] h1") == "Privacy Policy"
        assert "Meta Platforms, Inc." in page.inner_text("[role=main]")
        static = without_js.new_page()
        static.goto(site.url("privacy_policy"))
        assert static.inner_text("[role=main]").strip() == ""
    finally:
        with_js.close()
        without_js.close()


@pytest.mark.browser
def test_browser_builds_exactly_what_as_rendered_predicts(browser: Any) -> None:
    """The pure `as_rendered` output is the DOM the page script builds, byte for byte."""
    context = browser.new_context()
    try:
        page = context.new_page()
        # Nothing leaves the page: subresources get an empty answer.
        page.route("**/*", lambda route: route.fulfill(status=200, body=""))
        cases = [
            ("privacy_policy", "fr", "fr_FR", 4),
            ("genai", "uk", "en_GB", 7),
            ("objection_form_2025", "de", "de_DE", 7),
            ("help_ai_ads", "br", "pt_BR", 6),
        ]
        for seed, (page_id, region, locale, version) in enumerate(cases):
            options: dict[str, Any] = {
                "version": version,
                "region": region,
                "locale": locale,
                "render_delay_ms": 0,
            }
            page.set_content(render(page_id, seed=seed, **options))
            page.wait_for_selector("[role=main] [role=separator]", state="attached")
            in_browser = page.eval_on_selector("[role=main]", "main => main.innerHTML")
            predicted = main_html(render(page_id, seed=seed, as_rendered=True, **options))
            assert in_browser == predicted, page_id
    finally:
        context.close()


@pytest.mark.browser
def test_browser_french_egress_sees_the_eu_text_and_us_does_not(
    browser: Any, site: SimulatedMetaSite
) -> None:
    site.set_version("genai", 4)
    seen: dict[str, tuple[str, int]] = {}
    for region in ("fr", "us"):
        context = browser.new_context(proxy={"server": site.egress_proxy(region)}, locale="fr-FR")
        try:
            page = context.new_page()
            page.goto(site.url("genai", locale="fr_FR"))
            page.wait_for_selector("[role=main] [role=separator]")
            objection_links = page.locator(
                "[role=main] a[href*='/help/contact/712876720715583']"
            ).count()
            seen[region] = (page.inner_text("[role=main]"), objection_links)
        finally:
            context.close()
    french_text, french_links = seen["fr"]
    us_text, us_links = seen["us"]
    assert "Si vous résidez dans la Région européenne" in french_text
    assert EU_OBJECTION_FR in french_text and french_links == 1
    assert "Comment Meta utilise" in us_text  # French, but not the EU variant
    assert "Région européenne" not in us_text and us_links == 0
    assert site.request_count("genai", "fr") == 1 and site.request_count("genai", "us") == 1


@pytest.mark.browser
def test_browser_consent_click_and_stuck_consent(browser: Any, site: SimulatedMetaSite) -> None:
    context = browser.new_context(proxy={"server": site.egress_proxy("uk")})
    try:
        page = context.new_page()
        page.goto(site.url("privacy_center"))
        page.get_by_role("button", name="Allow all cookies").click()
        page.wait_for_selector("[role=dialog]", state="detached")
        assert any(cookie["name"] == "sim_consent" for cookie in context.cookies())
        page.reload()
        page.wait_for_selector("[role=main] h1")
        assert page.locator("[role=dialog]").count() == 0
    finally:
        context.close()
    site.set_mode("privacy_center", "consent_stuck", region="uk")
    stuck = browser.new_context(proxy={"server": site.egress_proxy("uk")})
    try:
        page = stuck.new_page()
        page.goto(site.url("privacy_center"))
        page.wait_for_selector("[role=main] h1")
        page.get_by_role("button", name="Allow all cookies").click()
        page.wait_for_function("document.readyState === 'complete'")
        assert page.locator("[role=dialog]").count() == 1
        assert stuck.cookies() == []
    finally:
        stuck.close()
