"""classify: every kind of finding, in English, French, German and Portuguese."""

from __future__ import annotations

import json

import pytest

from watcher.classify import Finding, FindingKind, Severity, build_lexicon, classify
from watcher.diff import Change, diff_documents
from watcher.normalize import normalize_html

BASE = "https://www.facebook.com/privacy/policy/"
K = FindingKind


def findings(old: str, new: str, *, region: str = "fr", lang: str = "en") -> list[Finding]:
    def document(body: str):  # type: ignore[no-untyped-def]
        html = f'<html lang="{lang}"><body><div role="main">{body}</div></body></html>'
        return normalize_html(html, base_url=BASE, select=['[role="main"]'])

    return classify(diff_documents(document(old), document(new)), region=region)


def kinds(found: list[Finding]) -> set[FindingKind]:
    return {f.kind for f in found}


def only(found: list[Finding], kind: FindingKind) -> Finding:
    (match,) = [f for f in found if f.kind is kind]
    return match


COLLECT = {
    "en": ("What information do we collect?", "Content you create", "Voice recordings you make"),
    "fr": (
        "Quelles informations recueillons-nous ?",
        "Le contenu que vous créez",
        "Les enregistrements vocaux que vous réalisez",
    ),
    "de": (
        "Welche Informationen erfassen wir?",
        "Inhalte, die du erstellst",
        "Sprachaufnahmen, die du machst",
    ),
    "pt": (
        "Quais informações coletamos?",
        "O conteúdo que você cria",
        "Gravações de voz que você faz",
    ),
}


@pytest.mark.parametrize("lang", COLLECT)
def test_an_item_added_to_the_collected_data_is_a_new_data_category(lang: str) -> None:
    heading, existing, added = COLLECT[lang]
    old = f"<h1>Policy</h1><h2>{heading}</h2><ul><li>{existing}</li></ul>"
    new = f"<h1>Policy</h1><h2>{heading}</h2><ul><li>{existing}</li><li>{added}</li></ul>"
    found = findings(old, new, lang=lang)
    finding = only(found, K.NEW_DATA_CATEGORY)
    assert finding.severity is Severity.HIGH
    assert finding.evidence_after == added
    assert finding.evidence_before == ""
    # (French typography's space before "?" is not kept in the canonical text)
    assert finding.path == f"Policy › {heading.replace(' ?', '?')}"


def test_a_data_category_named_in_a_sentence_that_says_it_is_collected() -> None:
    old = "<p>We collect the content you create.</p><p>Other text stays.</p>"
    new = (
        "<p>We collect the content you create. We also collect content you provide through "
        "our camera feature or your camera roll settings.</p><p>Other text stays.</p>"
    )
    finding = only(findings(old, new), K.NEW_DATA_CATEGORY)
    assert "camera roll" in finding.terms
    assert finding.evidence_after.startswith("We also collect content you provide")
    assert "We collect the content you create." not in finding.evidence_after


USE = {
    "en": (
        "We use your public posts to improve our services.",
        "We use your public posts to improve our services and to train AI models.",
    ),
    "fr": (
        "Nous utilisons vos publications publiques pour améliorer nos services.",
        "Nous utilisons vos publications publiques pour améliorer nos services et pour "
        "entraîner nos modèles d'IA.",
    ),
    "de": (
        "Wir verwenden deine öffentlichen Beiträge, um unsere Dienste zu verbessern.",
        "Wir verwenden deine öffentlichen Beiträge, um unsere Dienste zu verbessern und um "
        "KI-Modelle zu trainieren.",
    ),
    "pt": (
        "Usamos suas publicações públicas para melhorar nossos serviços.",
        "Usamos suas publicações públicas para melhorar nossos serviços e para treinar "
        "modelos de IA.",
    ),
}


@pytest.mark.parametrize("lang", USE)
def test_data_put_to_a_new_purpose_is_data_use_expanded(lang: str) -> None:
    old, new = USE[lang]
    finding = only(findings(f"<p>{old}</p>", f"<p>{new}</p>", lang=lang), K.DATA_USE_EXPANDED)
    assert finding.severity is Severity.HIGH
    assert finding.evidence_before == old
    assert finding.evidence_after == new


def test_a_use_that_was_paused_and_now_is_stated_is_data_use_expanded() -> None:
    old = "<p>In your region, we have paused our plans to use public posts to train AI.</p>"
    new = "<p>In your region, from 2025-05-27 we will use public posts to train AI.</p>"
    finding = only(findings(old, new), K.DATA_USE_EXPANDED)
    assert "paused" in finding.note or "no longer" in finding.note


def test_a_use_that_is_denied_is_not_an_expansion() -> None:
    found = findings(
        "<p>Camera roll suggestions are made on your device.</p>",
        "<p>Camera roll suggestions are made on your device. We don't use your photos to "
        "train AI models.</p>",
    )
    assert K.DATA_USE_EXPANDED not in kinds(found)


def test_an_item_added_under_a_heading_that_states_a_use_is_a_use() -> None:
    old = "<h2>Information we use for ads</h2><ul><li>Pages you like</li></ul>"
    new = (
        "<h2>Information we use for ads</h2><ul><li>Pages you like</li>"
        "<li>Your chats with AI assistants</li></ul>"
    )
    finding = only(findings(old, new), K.DATA_USE_EXPANDED)
    assert "ads" in finding.terms


OBJECT_SENTENCE = {
    "en": "You can {link} at any time.",
    "fr": "Vous pouvez {link} à tout moment.",
    "de": "Du kannst {link}, wann immer du willst.",
    "pt": "Você pode {link} a qualquer momento.",
}
OBJECT_LINK = {
    "en": "object to this use",
    "fr": "vous opposer à cette utilisation",
    "de": "dieser Verwendung widersprechen",
    "pt": "se opor a esse uso",
}


def _objection(lang: str, form: str) -> str:
    link = f'<a href="/help/contact/{form}?__tn__=-R">{OBJECT_LINK[lang]}</a>'
    return "<h2>Rights</h2><p>" + OBJECT_SENTENCE[lang].format(link=link) + "</p>"


@pytest.mark.parametrize("lang", OBJECT_SENTENCE)
def test_an_objection_link_that_points_elsewhere_is_opt_out_changed(lang: str) -> None:
    found = findings(_objection(lang, "6359191084165019"), _objection(lang, "712876720715583"))
    finding = only(found, K.OPT_OUT_CHANGED)
    assert finding.severity is Severity.HIGH
    assert "/help/contact/6359191084165019" in finding.evidence_before
    assert "/help/contact/712876720715583" in finding.evidence_after
    assert "712876720715583" in finding.note


@pytest.mark.parametrize("lang", OBJECT_SENTENCE)
def test_an_objection_link_removed_is_opt_out_changed_high(lang: str) -> None:
    old = _objection(lang, "712876720715583") + "<p>Other text.</p>"
    finding = only(findings(old, "<h2>Rights</h2><p>Other text.</p>"), K.OPT_OUT_CHANGED)
    assert finding.severity is Severity.HIGH
    assert "removed" in finding.note
    assert finding.evidence_after == ""


def test_an_objection_link_added_is_opt_out_changed_medium() -> None:
    old = "<h2>Rights</h2><p>Other text.</p>"
    finding = only(findings(old, _objection("en", "1") + "<p>Other text.</p>"), K.OPT_OUT_CHANGED)
    assert finding.severity is Severity.MEDIUM


def test_an_objection_link_moved_to_another_block_is_not_removed() -> None:
    old = _objection("en", "712876720715583") + "<h2>Other</h2><p>Text.</p>"
    new = (
        "<h2>Rights</h2><p>Read about your rights.</p><h2>Other</h2><p>Text. You can still "
        '<a href="/help/contact/712876720715583">object to this use</a>.</p>'
    )
    found = [f for f in findings(old, new) if f.kind is K.OPT_OUT_CHANGED]
    assert all(f.severity is not Severity.HIGH for f in found)
    assert not any("removed" in f.note for f in found)


FORM = {
    "en": ("Email address", "Country of residence", "Send"),
    "fr": ("Adresse e-mail", "Pays de résidence", "Envoyer"),
    "de": ("E-Mail-Adresse", "Land, in dem du lebst", "Senden"),
    "pt": ("Endereço de email", "País de residência", "Enviar"),
}


def _form(lang: str, *, with_country: bool) -> str:
    email, country, send = FORM[lang]
    fields = f'<label for="e">{email}</label><input id="e" name="email" type="email">'
    if with_country:
        fields += f'<label for="c">{country}</label><select id="c" name="country"></select>'
    return f"<h1>Objection</h1><form>{fields}<button>{send}</button></form>"


@pytest.mark.parametrize("lang", FORM)
def test_a_form_field_removed_from_an_objection_form_is_opt_out_changed(lang: str) -> None:
    found = findings(_form(lang, with_country=True), _form(lang, with_country=False))
    finding = only(found, K.OPT_OUT_CHANGED)
    assert finding.severity is Severity.HIGH
    assert FORM[lang][1] in finding.note


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "You have the right to object to processing based on legitimate interests."),
        ("fr", "Vous disposez d'un droit d'opposition à ce traitement."),
        ("de", "Du hast ein Widerspruchsrecht gegen diese Verarbeitung."),
        ("pt", "Você tem o direito de oposição a esse tratamento."),
    ],
)
def test_a_statement_of_the_right_to_object_removed_is_high(lang: str, sentence: str) -> None:
    old = f"<p>We explain your rights here. {sentence}</p>"
    found = findings(old, "<p>We explain your rights here.</p>", lang=lang)
    finding = next(f for f in found if f.kind is K.OPT_OUT_CHANGED)
    assert finding.severity is Severity.HIGH
    assert finding.evidence_before == sentence


REGION = {
    "en": (
        "If you live in the European Region, this feature is not available.",
        "If you live in the European Region or the UK, this feature is not available.",
    ),
    "fr": (
        "Si vous résidez dans la Région européenne, cette fonctionnalité n'est pas disponible.",
        "Si vous résidez dans la Région européenne ou au Royaume-Uni, cette fonctionnalité "
        "n'est pas disponible.",
    ),
    "de": (
        "Wenn du in der Europäischen Region lebst, ist diese Funktion nicht verfügbar.",
        "Wenn du in der Europäischen Region oder im Vereinigten Königreich lebst, ist diese "
        "Funktion nicht verfügbar.",
    ),
    "pt": (
        "Se você mora na Região Europeia, este recurso não está disponível.",
        "Se você mora na Região Europeia ou no Reino Unido, este recurso não está disponível.",
    ),
}


@pytest.mark.parametrize("lang", REGION)
def test_a_region_clause_that_now_names_the_watched_region_is_high(lang: str) -> None:
    old, new = REGION[lang]
    for region, severity in (("uk", Severity.HIGH), ("fr", Severity.MEDIUM)):
        found = findings(f"<p>{old}</p>", f"<p>{new}</p>", region=region, lang=lang)
        finding = only(found, K.REGION_RESTRICTION)
        assert finding.severity is severity, region
        assert finding.region == region
        assert finding.evidence_after == new


@pytest.mark.parametrize(
    ("lang", "clause"),
    [
        ("en", "Outside of the United Kingdom, Brazil, or the European Region, this applies."),
        ("fr", "Cette fonctionnalité est disponible uniquement dans certaines régions."),
        ("de", "Diese Funktion ist nur in bestimmten Regionen verfügbar."),
        ("pt", "Este recurso está disponível apenas em algumas regiões."),
    ],
)
def test_a_region_clause_added_is_region_restriction(lang: str, clause: str) -> None:
    found = findings("<p>Intro.</p>", f"<p>Intro.</p><p>{clause}</p>", region="us", lang=lang)
    assert only(found, K.REGION_RESTRICTION).evidence_after == clause


def test_a_paragraph_moved_between_regional_sections_is_a_region_restriction() -> None:
    old = (
        "<h2>If you live in the European Region</h2><p>We train AI on public posts.</p>"
        "<h2>If you live in the UK</h2><p>Other rules.</p>"
    )
    new = (
        "<h2>If you live in the European Region</h2><p>Nothing here.</p>"
        "<h2>If you live in the UK</h2><p>Other rules.</p><p>We train AI on public posts.</p>"
    )
    finding = only(findings(old, new), K.REGION_RESTRICTION)
    assert "moved" in finding.note


DATES = {
    "en": ("Effective June 26, 2024", "Effective May 27, 2025"),
    "fr": ("Date d'entrée en vigueur : 26 juin 2024", "Date d'entrée en vigueur : 27 mai 2025"),
    "de": ("Gültig ab: 26. Juni 2024", "Gültig ab: 27. Mai 2025"),
    "pt": ("Em vigor a partir de 26 de junho de 2024", "Em vigor a partir de 27 de maio de 2025"),
}


@pytest.mark.parametrize("lang", DATES)
def test_a_new_effective_date_is_effective_date_changed(lang: str) -> None:
    old, new = DATES[lang]
    found = findings(f"<p>{old}</p><p>Body.</p>", f"<p>{new}</p><p>Body.</p>", lang=lang)
    assert [f.kind for f in found] == [K.EFFECTIVE_DATE_CHANGED]
    assert found[0].severity is Severity.MEDIUM
    assert "2024-06-26" in found[0].evidence_before
    assert "2025-05-27" in found[0].evidence_after
    assert "2024-06-26" in found[0].note and "2025-05-27" in found[0].note


def test_a_date_change_alone_is_only_effective_date_changed() -> None:
    sentence = (
        "If you live in the European Region, we rely on your consent to train AI and you can "
        "object from {}."
    )
    found = findings(
        f"<p>{sentence.format('June 26, 2024')}</p>", f"<p>{sentence.format('May 27, 2025')}</p>"
    )
    assert [f.kind for f in found] == [K.EFFECTIVE_DATE_CHANGED]


def test_an_effective_date_line_reworded_and_redated_is_one_finding() -> None:
    found = findings(
        "<p>Effective December 16, 2025</p><p>Body.</p>",
        "<p>Policy updated on Jul 23, 2026.</p><p>Body.</p>",
    )
    finding = only(found, K.EFFECTIVE_DATE_CHANGED)
    assert "2025-12-16" in finding.evidence_before
    assert "2026-07-23" in finding.evidence_after


BASIS = {
    "en": (
        "<p>For ads, we rely on your consent.</p>",
        "<p>For ads, we rely on legitimate interests.</p>",
    ),
    "fr": (
        "<table><tr><td>Publicités</td><td>Consentement</td></tr></table>",
        "<table><tr><td>Publicités</td><td>Intérêts légitimes</td></tr></table>",
    ),
    "de": (
        "<p>Rechtsgrundlage für Werbung: deine Einwilligung.</p>",
        "<p>Rechtsgrundlage für Werbung: berechtigte Interessen.</p>",
    ),
    "pt": (
        "<p>Base legal para anúncios: consentimento.</p>",
        "<p>Base legal para anúncios: legítimo interesse.</p>",
    ),
}


@pytest.mark.parametrize("lang", BASIS)
def test_consent_replaced_by_legitimate_interests_is_legal_basis_changed(lang: str) -> None:
    old, new = BASIS[lang]
    finding = only(findings(old, new, lang=lang), K.LEGAL_BASIS_CHANGED)
    assert finding.severity is Severity.HIGH
    assert "consent" in finding.note and "legitimate interests" in finding.note


def test_consent_mentioned_in_passing_is_not_a_legal_basis() -> None:
    found = findings("<p>Intro.</p>", "<p>Intro.</p><p>Ask your parents for consent first.</p>")
    assert K.LEGAL_BASIS_CHANGED not in kinds(found)


@pytest.mark.parametrize(
    ("lang", "old", "new"),
    [
        ("en", "Please take a few minutes to read it.", "Take a moment to read it carefully."),
        ("fr", "Prenez quelques minutes pour la lire.", "Prenez un moment pour la lire."),
        ("de", "Nimm dir ein paar Minuten Zeit.", "Nimm dir bitte einen Moment Zeit."),
        ("pt", "Reserve alguns minutos para lê-la.", "Reserve um momento para lê-la."),
    ],
)
def test_rewording_alone_is_cosmetic(lang: str, old: str, new: str) -> None:
    found = findings(f"<h2>About</h2><p>{old}</p>", f"<h2>About</h2><p>{new}</p>", lang=lang)
    assert [f.kind for f in found] == [K.COSMETIC]
    assert found[0].severity is Severity.LOW
    assert found[0].note == "1 paragraph changed under 'About'"
    assert found[0].evidence_before == old and found[0].evidence_after == new


def test_unexplained_blocks_get_one_cosmetic_finding_next_to_the_others() -> None:
    old = "<p>Effective June 26, 2024</p><h2>About</h2><p>Read this.</p><p>And this.</p>"
    new = "<p>Effective May 27, 2025</p><h2>About us</h2><p>Read this now.</p><p>And this.</p>"
    found = findings(old, new)
    assert [f.kind for f in found] == [K.EFFECTIVE_DATE_CHANGED, K.COSMETIC]
    assert found[1].note == "1 heading changed, 1 paragraph changed under 'About us'"


def test_findings_come_most_severe_first_and_the_same_every_time() -> None:
    old = "<h2>Rights</h2><p>Effective June 26, 2024</p><p>For ads, we rely on consent.</p>"
    new = (
        "<h2>Rights</h2><p>Effective May 27, 2025</p><p>For ads, we rely on legitimate "
        "interests.</p>"
    )
    found = findings(old, new)
    assert [f.severity for f in found] == sorted((f.severity for f in found), key=lambda s: -s.rank)
    assert found == findings(old, new)


def test_a_finding_round_trips_through_json() -> None:
    finding = findings(
        "<p>For ads, we rely on your consent.</p>",
        "<p>For ads, we rely on legitimate interests.</p>",
    )[0]
    assert Finding.from_json(json.loads(json.dumps(finding.to_json()))) == finding
    assert finding.to_json()["kind"] == "legal_basis_changed"


def test_an_empty_change_has_no_findings() -> None:
    assert classify(Change(), region="fr") == []


def test_a_custom_lexicon_can_be_passed_in() -> None:
    lexicon = build_lexicon(
        [{"region_clauses": ["in narnia"], "legal_bases": {"consent": ["say-so"]}}],
        {"regions": {"nn": ["narnia"]}},
    )
    old = _doc("<p>Intro.</p>")
    new = _doc("<p>Intro.</p><p>Only in Narnia do we ask.</p>")
    found = classify(diff_documents(old, new), region="nn", lexicon=lexicon)
    assert only(found, K.REGION_RESTRICTION).severity is Severity.HIGH


def _doc(body: str):  # type: ignore[no-untyped-def]
    return normalize_html(f"<body>{body}</body>", base_url=BASE)


# -- what must NOT be a finding (seen on archived versions of Meta's pages) ----------------------


def test_a_link_retargeted_inside_a_region_clause_is_not_a_region_change() -> None:
    def page(href: str) -> str:
        return (
            f'<h1>Policy</h1><p>If you live in the <a href="{href}">European Region</a>, '
            "Meta Platforms Ireland Limited is responsible for your information.</p>"
        )

    found = findings(
        page("https://www.whatsapp.com/legal/eea"), page("https://www.whatsapp.com/eu")
    )
    assert K.REGION_RESTRICTION not in kinds(found)
    assert kinds(found) == {K.COSMETIC}


def test_a_region_clause_read_the_same_inside_a_reworded_sentence_is_not_a_change() -> None:
    old = "<h1>P</h1><p>Research: we share data with academics both in and outside the EEA.</p>"
    new = "<h1>P</h1><p>We share data with academics both in and outside the EEA.</p>"
    assert K.REGION_RESTRICTION not in kinds(findings(old, new))


def test_outside_a_company_is_no_region_clause() -> None:
    old = "<h1>P</h1><p>Search engines can show your profile in results outside Meta.</p>"
    new = "<h1>P</h1><p>Search engines can show your profile in results outside of Meta.</p>"
    assert K.REGION_RESTRICTION not in kinds(findings(old, new))


def test_a_dated_line_reworded_with_the_same_date_is_no_date_change() -> None:
    old = "<h1>P</h1><p>Effective 2025-12-16. See the Privacy Center.</p>"
    new = "<h1>P</h1><p>Effective 2025-12-16. See the Privacy Centre page.</p>"
    assert K.EFFECTIVE_DATE_CHANGED not in kinds(findings(old, new))


def test_a_contact_form_is_not_an_objection_link_unless_its_words_say_so() -> None:
    old = "<h1>Contact</h1><p>Write to us.</p>"
    dpo = (
        '<h1>Contact</h1><p>Write to us.</p><p>You can <a href="https://www.facebook.com/help/'
        'contact/540977946302970">contact our Data Protection Officer</a>.</p>'
    )
    objection = (
        '<h1>Contact</h1><p>Write to us.</p><p>You can object <a href="https://www.facebook.com/'
        'help/contact/540977946302970">here</a>.</p>'
    )
    assert K.OPT_OUT_CHANGED not in kinds(findings(old, dpo))
    assert K.OPT_OUT_CHANGED in kinds(findings(old, objection))


def test_a_link_to_a_previous_policy_after_an_objection_sentence_is_not_an_objection_link() -> None:
    banner = (
        "<p>We'll tell you how you can exercise your right to object. "
        '<a href="https://privacycenter.instagram.com/policy/version/2523">View our previous '
        "policy.</a></p>"
    )
    found = findings(f"<h1>P</h1>{banner}<p>Text.</p>", "<h1>P</h1><p>Text.</p>")
    notes = [f.note for f in found if f.kind is K.OPT_OUT_CHANGED]
    assert not any("link" in note for note in notes), notes


def test_an_objection_sentence_reworded_in_nearly_the_same_words_is_cosmetic() -> None:
    old = (
        "<h1>P</h1><p>We'll let you know before we start using your information, and how you "
        "can exercise your right to object.</p>"
    )
    new = (
        "<h1>P</h1><p>We'll let you know before we start using this information for this "
        "purpose, and how you can exercise your right to object.</p>"
    )
    assert kinds(findings(old, new)) == {K.COSMETIC}
    weakened = "<h1>P</h1><p>You can no longer exercise your right to object.</p>"
    assert K.OPT_OUT_CHANGED in kinds(findings(old, weakened))


def test_a_link_added_to_a_listed_kind_of_data_is_no_new_data_category() -> None:
    heading = "<h1>P</h1><h2>What information do we collect?</h2>"
    old = (
        f"{heading}<ul><li>Metadata about content and messages, subject to applicable law</li></ul>"
    )
    new = (
        f'{heading}<ul><li>Metadata about content and messages, subject to <a href="https://'
        'www.facebook.com/help/499392929200216">applicable law</a></li></ul>'
    )
    assert kinds(findings(old, new)) == {K.COSMETIC}


def test_a_known_kind_of_data_added_to_a_purpose_row_is_a_use_expanded() -> None:
    def table(data: str) -> str:
        return (
            "<h1>Legal basis information</h1><table><tr><th>Why we process</th><th>Data we use"
            "</th></tr><tr><td>Promoting safety and integrity on our Products.</td>"
            f"<td>{data}</td></tr></table><p>Messages you send are described above.</p>"
        )

    old = table("Content you create. Metadata about content.")
    new = table("Content you create. Messages you send and receive. Metadata about content.")
    finding = only(findings(old, new), K.DATA_USE_EXPANDED)
    assert "messages" in finding.note
    assert "Messages you send and receive" in finding.evidence_after
    reworded = table("Content that you create. Metadata about your content.")
    assert K.DATA_USE_EXPANDED not in kinds(findings(old, reworded))


def test_a_basis_named_with_on_the_basis_of_is_a_legal_basis_statement() -> None:
    old = "<h1>P</h1><p>We are improving AI at Meta.</p>"
    new = (
        "<h1>P</h1><p>We are improving AI at Meta.</p><p>We'll use this information on the "
        "basis of legitimate interests to develop generative AI models.</p>"
    )
    assert "legitimate interests" in only(findings(old, new), K.LEGAL_BASIS_CHANGED).note


def test_a_country_dropped_from_an_objection_form_is_a_high_finding_naming_it() -> None:
    def form(*countries: str) -> str:
        options = "".join(f"<option>{c}</option>" for c in ("", *countries))
        return (
            "<h1>Object to the use of your information for AI</h1><form>"
            f'<label for="c">Country</label><select id="c" name="country">{options}</select>'
            '<label for="e">Email</label><input id="e" name="email" type="email"></form>'
        )

    finding = only(findings(form("France", "Germany"), form("France")), K.OPT_OUT_CHANGED)
    assert finding.severity is Severity.HIGH
    assert finding.note == "form field changed: Country; no longer offers Germany"
    added = only(findings(form("France"), form("France", "Ireland")), K.OPT_OUT_CHANGED)
    assert added.note.endswith("now offers Ireland")
    assert added.severity is Severity.MEDIUM
