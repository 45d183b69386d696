"""The opt-out flow check: objection links found, forms judged, state changes become findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watcher.cli.main import main
from watcher.demo import demo_config_yaml
from watcher.normalize import normalize_html, parse_canonical
from watcher.optout import (
    FormStatus,
    find_opt_out_links,
    inspect_form,
    opt_out_document,
    opt_out_findings,
)
from watcher.simsite import SimulatedMetaSite

BASE = "https://www.facebook.com/privacy/genai/"

PAGE = """<html><body><main>
<h1>Generative AI</h1>
<p>If you live in the European Region, you have the right to object to the use of your
information. <a href="https://www.facebook.com/help/contact/712876720715583?entry_point=x">Object
here</a>.</p>
<p>Learn about <a href="https://www.facebook.com/privacy/center/">privacy</a>.</p>
<p>Vous pouvez <a href="/help/contact/6359191084165019">vous opposer</a>.</p>
</main></body></html>"""

FORM = """<html><body><main><h1>Object</h1><form>
<label for=c>Country</label><select id=c name=country><option>France</option></select>
<label for=e>Email address</label><input id=e type=email name=email>
<label for=r>Please explain how this processing impacts you</label>
<textarea id=r name=reason></textarea>
<button type=submit>Send</button></form></main></body></html>"""


def test_objection_links_are_found_by_words_and_by_form_urls() -> None:
    links = find_opt_out_links(normalize_html(PAGE, base_url=BASE))
    assert [link.href for link in links] == [
        "https://www.facebook.com/help/contact/712876720715583",
        "https://www.facebook.com/help/contact/6359191084165019",
    ]
    assert links[0].text == "Object here"


def test_a_page_without_objection_links_has_none() -> None:
    html = "<main><h1>About</h1><p>Read <a href='https://example.org/a'>more</a>.</p></main>"
    assert find_opt_out_links(normalize_html(html, base_url=BASE)) == ()


def form_state(html: str, *, status: int = 200, login_wall: bool = False) -> FormStatus:
    document = normalize_html(html, base_url=BASE) if status < 400 else None
    return inspect_form(
        "Object", BASE, final_url=BASE, document=document, status=status, login_wall=login_wall
    ).status


def test_form_states() -> None:
    assert form_state(FORM) is FormStatus.AVAILABLE
    without_reason = FORM.replace("name=reason", "name=notes").replace("Please explain how", "")
    without_reason = without_reason.replace("this processing impacts you", "Notes")
    assert form_state(without_reason) is FormStatus.FIELDS_MISSING
    assert form_state("<main><h1>Object</h1><p>Write to us.</p></main>") is FormStatus.NO_FORM
    assert form_state(FORM, login_wall=True) is FormStatus.REQUIRES_LOGIN
    assert form_state("", status=404) is FormStatus.GONE


def test_french_and_german_forms_are_understood() -> None:
    fr = FORM.replace("Country", "Pays").replace("Email address", "Adresse e-mail")
    fr = fr.replace("Please explain how this processing impacts you", "Expliquez votre demande")
    assert form_state(fr) is FormStatus.AVAILABLE
    de = FORM.replace("Country", "Land").replace("Email address", "E-Mail-Adresse")
    de = de.replace("Please explain how this processing impacts you", "Begründung")
    assert form_state(de) is FormStatus.AVAILABLE


def test_state_changes_become_findings_and_moves_are_none() -> None:
    href, other = "https://m.example/help/contact/1", "https://m.example/help/contact/2"
    works = inspect_form(
        "Object",
        href,
        final_url=href,
        document=normalize_html(FORM, base_url=BASE),
        status=200,
        login_wall=False,
    )
    walled = inspect_form(
        "Object", href, final_url=href, document=None, status=200, login_wall=True
    )
    moved = inspect_form(
        "Object",
        other,
        final_url=other,
        document=normalize_html(FORM, base_url=BASE),
        status=200,
        login_wall=False,
    )
    gone = inspect_form(
        "Object", other, final_url=other, document=None, status=404, login_wall=False
    )

    findings = opt_out_findings(opt_out_document([works]), opt_out_document([walled]), region="fr")
    assert len(findings) == 1
    assert findings[0].kind == "opt_out_changed" and findings[0].severity == "high"
    assert "requires logging in" in findings[0].evidence_after
    assert "form available" in findings[0].evidence_before

    back = opt_out_findings(opt_out_document([walled]), opt_out_document([works]), region="fr")
    assert [f.severity for f in back] == ["medium"]

    # The link moved to a working form: the page's own change tells the move; the forms'
    # target has nothing of its own to tell (one event, one alert).
    moves = opt_out_findings(opt_out_document([works]), opt_out_document([moved]), region="fr")
    assert moves == []
    # The link moved to a page that is gone: that only following the link can tell.
    found = opt_out_findings(opt_out_document([works]), opt_out_document([gone]), region="fr")
    broken = [f for f in found if f.severity == "high"]
    assert len(broken) == 1 and "HTTP 404" in broken[0].evidence_after


def test_the_state_document_round_trips_through_canonical_text() -> None:
    href = "https://m.example/help/contact/1"
    state = inspect_form(
        "Object",
        href,
        final_url=href + "?x",
        document=normalize_html(FORM, base_url=BASE),
        status=200,
        login_wall=False,
    )
    document = opt_out_document([state])
    assert parse_canonical(document.canonical_text()) == document


@pytest.mark.browser
def test_a_form_that_goes_behind_a_login_is_a_high_finding(
    site: SimulatedMetaSite,
    chromium_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site.set_version(None, 1)
    config = tmp_path / "sources.yaml"
    config.write_text(
        demo_config_yaml(site.base_url, site.egress_proxies(), pages=("genai",), timeout="8s")
    )
    db = f"sqlite:///{tmp_path / 'watcher.db'}"
    check = [
        "check",
        "--config",
        str(config),
        "--db",
        db,
        "--json",
        "--only",
        "genai@fr",
        "genai@us",
    ]

    assert main(check) == 0
    first = {r["target"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    # The EU page links to the objection form; the US page does not, so it has no derived target.
    assert set(first) == {"genai@fr", "genai@us", "genai@fr/opt-out"}
    assert first["genai@fr/opt-out"]["outcome"] == "first"

    site.set_mode("objection_form_2024", "login_wall", region="fr")
    assert main(check) == 0
    second = {r["target"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert second["genai@fr"]["outcome"] == "unchanged"
    derived = second["genai@fr/opt-out"]
    assert derived["outcome"] == "changed"
    [finding] = derived["findings"]
    assert (finding["kind"], finding["severity"]) == ("opt_out_changed", "high")
    assert "requires logging in" in finding["evidence_after"]

    # A form that cannot be reached at all is a failed check of the derived target, not a change.
    site.set_mode("objection_form_2024", "rate_limited", region="fr")
    assert main(check) == 0
    third = {r["target"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert (third["genai@fr/opt-out"]["outcome"], third["genai@fr/opt-out"]["failure_kind"]) == (
        "failed",
        "rate_limited",
    )
