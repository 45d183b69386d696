"""Noise never reaches the canonical text; real changes, dates included, always do."""

from __future__ import annotations

import pytest

from watcher.normalize import normalize_html

BASE = "https://www.facebook.com/privacy/policy/?locale=en_US"


def canonical(body: str, *, lang: str = "en", base_url: str = BASE) -> str:
    html = f'<html lang="{lang}"><body><div role="main">{body}</div></body></html>'
    return normalize_html(html, base_url=base_url, select=['[role="main"]']).canonical_text()


def assert_same(first: str, second: str, *, lang: str = "en") -> None:
    assert canonical(first, lang=lang) == canonical(second, lang=lang)


def test_per_load_tokens_in_markup_change_nothing() -> None:
    def page(nonce: str, token: str, spin: int, request_id: str, asset: str) -> str:
        return f"""<script nonce="{nonce}">requireLazy(["ServerNonce"], "{nonce}")</script>
          <style nonce="{nonce}">.x{{}}</style>
          <link rel="stylesheet" href="/rsrc.php/v3/{asset}.css">
          <script>window.__spin_t={spin};window.hsi="{request_id}"</script>
          <form hidden><input type="hidden" name="lsd" value="{token}">
            <input type="hidden" name="jazoest" value="2{spin % 1000}"></form>
          <input type="hidden" name="fb_dtsg" value="NA{token}:1:2">
          <h1 class="x{token[:5]} xq{nonce[:4]}">Privacy Policy</h1>
          <p class="x1{asset}">We collect information.</p>"""

    assert_same(
        page("aB3dE5fG", "AVqrst1234", 1732500000, "7301234567890123456", "yA/r/abc123"),
        page("Zz9yY8xX", "AVzyxw9876", 1732599999, "7409876543210987654", "yQ/r/zzz999"),
    )


@pytest.mark.parametrize(
    "parameter",
    [
        "__cft__[0]=AZXmBq1x2y",
        "__cft__%5B0%5D=AZXmBq1x2y",
        "__tn__=-R",
        "__tn__=%2CO%2CP-R",
        "__xts__[0]=68.ARBxyz",
        "fbclid=IwAR0abcdef",
        "eid=ARAbc",
        "ref=bookmarks",
        "__ccr=ARZ",
        "locale2=fr_FR",
        "entry_point=privacy_center",
        "back_id=17",
        "utm_source=newsletter&utm_campaign=ai",
        "hsi=7301234567890",
    ],
)
def test_tracking_parameters_are_dropped_from_links(parameter: str) -> None:
    plain = '<p>Read the <a href="/privacy/genai/?id=7">AI page</a>.</p>'
    tracked = f'<p>Read the <a href="/privacy/genai/?{parameter}&id=7">AI page</a>.</p>'
    assert_same(plain, tracked)
    assert "id=7" in canonical(tracked)


def test_click_tracking_wrappers_are_unwrapped_to_the_real_target() -> None:
    direct = '<p><a href="https://www.dataprotection.ie/en/contact?lang=en">Contact the DPC</a></p>'
    for wrapper in (
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.dataprotection.ie%2Fen%2Fcontact"
        "%3Flang%3Den%26fbclid%3DIwAR1&h=AT0xYz9",
        "/l.php?u=https%3A%2F%2Fwww.dataprotection.ie%2Fen%2Fcontact%3Flang%3Den&h=AT3qq",
        "https://lm.facebook.com/l.php?u=https%3A%2F%2Fwww.dataprotection.ie%2Fen%2Fcontact"
        "%3Flang%3Den&h=AT7kk&s=1",
    ):
        assert_same(direct, f'<p><a href="{wrapper}">Contact the DPC</a></p>')


def test_signed_cdn_parameters_and_images_are_dropped() -> None:
    def page(oh: str, oe: str, gid: str) -> str:
        signed = f"_nc_cat=1&_nc_ohc={gid}&_nc_gid={gid}&_nc_ht=scontent.xx&oh=00_{oh}&oe={oe}"
        return f"""<img src="https://scontent.xx.fbcdn.net/v/t39/1_n.jpg?{signed}" alt="x">
          <p><a href="https://scontent.xx.fbcdn.net/v/t39/guide.pdf?{signed}&efg={gid}">Guide</a></p>"""

    assert_same(page("AYBc1", "67A1B2C3", "abcDEF"), page("QQzz9", "6F00AA11", "zyxWVU"))
    assert "oh=" not in canonical(page("AYBc1", "67A1B2C3", "abcDEF"))


def test_an_annotation_link_reads_the_same_as_a_fragment_or_as_the_full_page_url() -> None:
    fragment = '<p>We rely on <a href="#annotation-10">legitimate interests</a>.</p>'
    full = (
        '<p>We rely on <a href="https://www.facebook.com/privacy/policy/'
        '?entry_point=privacy_policy_link#annotation-10">legitimate interests</a>.</p>'
    )
    renumbered = '<p>We rely on <a href="#annotation-11">legitimate interests</a>.</p>'
    assert_same(fragment, full)
    assert_same(fragment, renumbered)


@pytest.mark.parametrize(
    ("lang", "with_time", "without"),
    [
        ("en", "<p>Updated 3 hours ago</p><p>Policy text.</p>", "<p>Policy text.</p>"),
        ("en", "<p>Policy text (posted 5 minutes ago).</p>", "<p>Policy text.</p>"),
        ("en", "<p>Policy text. Updated about an hour ago.</p>", "<p>Policy text.</p>"),
        ("en", "<p>Edited just now</p><p>Policy text.</p>", "<p>Edited</p><p>Policy text.</p>"),
        ("fr", "<p>Mis à jour il y a 3 h</p><p>Texte.</p>", "<p>Texte.</p>"),
        ("fr", "<p>Texte publié il y a 2 jours.</p>", "<p>Texte.</p>"),
        ("de", "<p>Aktualisiert vor 3 Stunden</p><p>Text.</p>", "<p>Text.</p>"),
        ("de", "<p>Text, vor 5 Min.</p>", "<p>Text,</p>"),
        ("pt", "<p>Atualizado há 3 horas</p><p>Texto.</p>", "<p>Texto.</p>"),
        ("pt", "<p>Texto de 2 dias atrás.</p>", "<p>Texto de.</p>"),
    ],
)
def test_relative_times_are_removed(lang: str, with_time: str, without: str) -> None:
    assert_same(with_time, without, lang=lang)


def test_whitespace_and_invisible_characters_do_not_matter() -> None:
    clean = "<p>You can object to this use at any time.</p>"
    noisy = (
        "<p>\n  You\u00a0can  ob\u00adject\u200b to\tthis\n use at\u202fany "
        "<span>time</span>\ufeff.  </p>"
    )
    assert_same(clean, noisy)


@pytest.mark.parametrize(
    ("lang", "tight", "loose"),
    [
        (
            "en",
            "<p>We rely on <a href='/x'>interests</a>, ours.</p>",
            "<p>We rely on <a href='/x'>interests</a>\n   , ours .</p>",
        ),
        (
            "en",
            "<p>Read it (<a href='/x'>here</a>).</p>",
            "<p>Read it ( <a href='/x'>here</a> ) .</p>",
        ),
        (
            "fr",
            "<p>Contactez l'<a href='/x'>autorité</a>.</p>",
            "<p>Contactez l' <a href='/x'>autorité</a> .</p>",
        ),
        ("fr", "<p>Date d'entrée en vigueur : 2024</p>", "<p>Date d'entrée en vigueur: 2024</p>"),
    ],
)
def test_spaces_around_punctuation_that_markup_adds_or_drops_do_not_matter(
    lang: str, tight: str, loose: str
) -> None:
    assert_same(tight, loose, lang=lang)


def test_typographic_apostrophes_read_as_plain_ones() -> None:
    assert_same(
        "<p>You\u2019re covered by Meta\u2019s policy.</p>",
        "<p>You're covered by Meta's policy.</p>",
    )


def test_unicode_forms_are_composed() -> None:
    assert_same("<p>Re\u0301gion europe\u0301enne</p>", "<p>Région européenne</p>", lang="fr")


def test_us_and_gb_english_renderings_of_a_page_are_one_text() -> None:
    us = """<h1>Privacy Center</h1><p>Effective December 16, 2025</p>
      <p>Our organization uses information to personalize ads and analyze behavior.</p>
      <p>Policy updated on Jul 23, 2026.</p>"""
    gb = """<h1>Privacy Centre</h1><p>Effective 16 December 2025</p>
      <p>Our organisation uses information to personalise ads and analyse behaviour.</p>
      <p>Policy updated on 23 Jul 2026.</p>"""
    assert_same(us, gb)
    assert canonical(us) == (
        "# Privacy Center\n\nEffective 2025-12-16\n\n"
        "Our organization uses information to personalize ads and analyze behavior.\n\n"
        "Policy updated on 2026-07-23.\n"
    )


def test_british_spelling_is_only_changed_in_english_text() -> None:
    text = canonical("<p>Nos centres de données sont en Irlande.</p>", lang="fr")
    assert "centres" in text


@pytest.mark.parametrize(
    ("lang", "written", "iso"),
    [
        ("en", "Effective June 26, 2024", "Effective 2024-06-26"),
        ("en", "Effective 26th June 2024", "Effective 2024-06-26"),
        (
            "fr",
            "Date d'entrée en vigueur : 1er juillet 2024",
            "Date d'entrée en vigueur: 2024-07-01",
        ),
        ("fr", "En vigueur le 16 décembre 2025", "En vigueur le 2025-12-16"),
        ("de", "Gültig ab: 16. Dezember 2025", "Gültig ab: 2025-12-16"),
        ("de", "Zuletzt aktualisiert am 3. März 2026", "Zuletzt aktualisiert am 2026-03-03"),
        ("pt", "Em vigor a partir de 16 de dezembro de 2025", "Em vigor a partir de 2025-12-16"),
        ("pt", "Última atualização: 27 de maio de 2025", "Última atualização: 2025-05-27"),
    ],
)
def test_written_dates_become_iso_dates(lang: str, written: str, iso: str) -> None:
    assert canonical(f"<p>{written}</p>", lang=lang) == iso + "\n"


def test_a_real_change_of_effective_date_survives() -> None:
    before = canonical("<p>Effective June 26, 2024</p>")
    after = canonical("<p>Effective 27 May 2025</p>")
    assert before != after
    assert "2024-06-26" in before
    assert "2025-05-27" in after


def test_a_date_that_does_not_exist_is_left_as_written() -> None:
    assert canonical("<p>Effective February 30, 2025</p>") == "Effective February 30, 2025\n"


def test_a_real_change_of_link_target_survives_the_cleanup() -> None:
    old = canonical('<p><a href="/help/contact/6359191084165019?__tn__=-R">Object</a></p>')
    new = canonical('<p><a href="/help/contact/712876720715583?__tn__=*F">Object</a></p>')
    assert old != new
    assert "712876720715583" in new


def test_javascript_links_keep_their_text_but_lose_the_target() -> None:
    text = canonical('<p>Press <a href="javascript:void(0)">here</a> now.</p>')
    assert text == "Press here now.\n"


def test_an_annotation_link_on_a_plain_http_page_reads_as_its_fragment() -> None:
    """The page's own address is read as it is (the scheme of a page served over http is not
    changed), so a full-URL annotation link and a fragment one stay the same link."""
    base = "http://127.0.0.1:8080/privacy/policy/?locale=de_DE"
    fragment = '<p>Wir stützen uns auf <a href="#annotation-3">berechtigte Interessen</a>.</p>'
    full = (
        '<p>Wir stützen uns auf <a href="http://127.0.0.1:8080/privacy/policy/'
        '?entry_point=privacy_policy_link#annotation-3">berechtigte Interessen</a>.</p>'
    )
    assert canonical(fragment, base_url=base) == canonical(full, base_url=base)
    assert "(#annotation)" in canonical(full, base_url=base)


def test_an_address_carried_in_a_path_is_unwrapped() -> None:
    """Meta's printable policy wraps every outside link as `/printable/<encoded address>`."""
    direct = '<p><a href="https://help.instagram.com/195069860617299?helpref=related">IG</a></p>'
    wrapped = (
        '<p><a href="https://mbasic.facebook.com/privacy/policy/printable/https%3A%2F%2F'
        "lm.facebook.com%2Fl.php%3Fu=https%3A%2F%2Fhelp.instagram.com%2F195069860617299"
        '%3Fhelpref%3Drelated%26entry_point%3DPOLICY_SUBPAGE">IG</a></p>'
    )
    assert_same(direct, wrapped)


def test_the_scheme_flip_inside_a_wrapper_is_noise_but_a_plain_http_link_is_kept() -> None:
    def wrapped(scheme: str) -> str:
        inner = f"{scheme}%3A%2F%2Fhelp.instagram.com%2F581066165581870%2F"
        return f'<p><a href="https://lm.facebook.com/l.php?u={inner}&h=AT1">Terms of Use</a></p>'

    assert_same(wrapped("http"), wrapped("https"))
    assert "(http://example.org/terms)" in canonical(
        '<p><a href="http://example.org/terms">T</a></p>'
    )


def test_an_address_in_a_parameter_loses_its_own_per_load_parameters() -> None:
    def video(oh: str, oe: str) -> str:
        src = f"https://video.xx.fbcdn.net/v/clip.mp4%3F_nc_cat%3D101%26oh%3D{oh}%26oe%3D{oe}"
        return f'<p><a href="https://mbasic.facebook.com/video_redirect/?id=107&src={src}">Play</a></p>'

    assert_same(video("00_AfGB", "680DF875"), video("00_AfF8", "680EA135"))
    assert "clip.mp4" in canonical(video("00_AfGB", "680DF875"))


def test_the_policy_click_logger_is_unwrapped() -> None:
    def logged(section: str) -> str:
        return (
            '<p><a href="https://www.facebook.com/privacy/policy/logging/?containing_element_id='
            f"{section}&element=cell&redirect_uri=https://www.facebook.com/dyi/"
            '&target=DOWNLOAD">Download your information</a></p>'
        )

    assert_same(logged("POLICY_SECTION:7"), logged("POLICY_SUBSECTION:7.1"))
    assert "(https://www.facebook.com/dyi/)" in canonical(logged("POLICY_SECTION:7"))


def test_a_cookie_prompt_left_in_the_content_is_dropped_and_the_policy_kept() -> None:
    prompt = (
        "<ul><li>Allow the use of cookies from Instagram on this browser?</li>"
        "<li>We use cookies to personalize content and serve relevant ads.</li>"
        "<li>Allow all cookies</li><li>Only allow essential cookies</li></ul>"
    )
    policy = (
        "<h1>Privacy Policy</h1><p>We use cookies to show you ads, as the Cookie Policy says.</p>"
    )
    text = canonical(policy + prompt)
    assert text == canonical(policy)
    assert "Cookie Policy says" in text


def test_a_cookie_prompt_loose_in_the_body_takes_only_its_own_paragraphs() -> None:
    # The prompt's paragraphs are children of the body, like every section of the policy: the
    # sections that speak of cookies (a purposes table, a paragraph) must stay.
    policy = (
        "<h1>Privacy Policy</h1>"
        "<table><tr><th>Purpose</th><th>Data</th></tr>"
        "<tr><td>Showing ads</td><td>Information from cookies and similar technologies</td></tr>"
        "</table>"
        "<p>We use cookies to show you ads, as the Cookie Policy says.</p>"
        "<p>Contact us with questions.</p>"
    )
    prompt = (
        "<p>Allow the use of cookies from Instagram on this browser?</p>"
        "<p>We use cookies to personalize content and serve relevant ads.</p>"
        "<p>Allow all cookies</p><p>Only allow essential cookies</p>"
    )
    text = canonical(policy + prompt)
    assert text == canonical(policy)
    assert "Information from cookies and similar technologies" in text
    assert "Allow all cookies" not in text
