"""The extracted text's health: too long, or decoded with the wrong charset (`bad_encoding`),
never on real French, German or Portuguese text."""

from __future__ import annotations

import random

import pytest

from watcher.fetch.base import FailureKind, FetchResult
from watcher.fetch.limits import PageLimits
from watcher.health import assess_text
from watcher.health.text import broken_characters
from watcher.normalize import normalize_html
from watcher.simsite import LATEST_VERSION, PAGES, render_page

LIMITS = PageLimits()
LANGUAGES = {"fr_FR": "fr", "de_DE": "de", "pt_BR": "br"}
PAGE_IDS = [p for p, spec in PAGES.items() if spec.kind != "login" and "fr_FR" in spec.languages]

# Portuguese as Brazilian and Portuguese sites write it, capitals and all: "Ã" and "Â" before
# letters and punctuation, ordinal signs, currency, guillemets.
PORTUGUESE = (
    "INFORMAÇÃO IMPORTANTE: NÃO PARTILHAMOS OS SEUS DADOS. A MAÇÃ, A IRMÃ, O ÂMBITO. "
    "Usamos informações para a câmera e o rolo da câmera, nº 1º 2ª, por R$ 5,00 ou 5,00 €. "
    "São Paulo, Brasília e Maranhão; « aspas » e “aspas”; à direita, às vezes, até já. "
    "Você pode se opor ao tratamento com base em legítimo interesse; a opção está lá. "
) * 40
FRENCH = (
    "À propos de vos données : « Œuvre », cœur, où, déjà, garçon, Noël, naïf, façade, "
    "intérêts légitimes – 10 € – nº 3. Vous pouvez vous opposer au traitement. "
) * 40
GERMAN = (
    "„Datenschutzrichtlinie“ – Grüße, Straße, Maß »Zitat« ÄÖÜ äöü ß; berechtigte Interessen, "
    "Widerspruchsrecht, widersprechen. Preis: 5 €. "
) * 40


def as_windows_1252(data: bytes) -> str:
    """Bytes decoded as a browser decodes windows-1252: the five bytes Python leaves undefined
    (0x81, 0x8D, 0x8F, 0x90, 0x9D) become the C1 controls of the same number."""
    return "".join(
        bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
        for b in data
    )


def result(text: str = "") -> FetchResult:
    url = "https://www.facebook.com/privacy/policy/"
    return FetchResult(target_id="t@fr", url=url, final_url=url, status=200, html=text)


def canonical(page_html: str) -> str:
    document = normalize_html(page_html, base_url="https://www.facebook.com/", select=["main"])
    return document.canonical_text()


def simulated(page_id: str, locale: str, version: int) -> str:
    return render_page(
        page_id,
        version=max(version, PAGES[page_id].since_version),
        region=LANGUAGES[locale],
        locale=locale,
        rng=random.Random(version),
        as_rendered=True,
    )


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_the_simulated_sites_pages_in_every_language_pass(page_id: str, locale: str) -> None:
    for version in (0, LATEST_VERSION):
        html = simulated(page_id, locale, version)
        text = normalize_html(
            html, base_url="https://www.facebook.com/", select=['[role="main"]']
        ).canonical_text()
        assert any(not c.isascii() for c in text)  # there are accents to get wrong
        assert broken_characters(text) == 0
        assert assess_text(result(), text, limits=LIMITS) is None


@pytest.mark.parametrize("text", [PORTUGUESE, FRENCH, GERMAN], ids=["pt", "fr", "de"])
def test_real_looking_text_with_capital_accents_passes(text: str) -> None:
    assert broken_characters(text) == 0
    assert assess_text(result(), text, limits=LIMITS) is None


def test_a_few_stray_replacement_characters_are_not_a_wrong_charset() -> None:
    text = PORTUGUESE + "um emoji cortado: \ufffd e outro \ufffd."
    assert assess_text(result(), text, limits=LIMITS) is None


@pytest.mark.parametrize("text", [PORTUGUESE, FRENCH, GERMAN], ids=["pt", "fr", "de"])
def test_latin1_bytes_read_as_utf8_are_bad_encoding(text: str) -> None:
    # What a browser shows for a Latin-1 page labelled UTF-8: U+FFFD for every accented letter.
    shown = text.encode("latin-1", errors="replace").decode("utf-8", errors="replace")
    failure = assess_text(result(), shown, limits=LIMITS)
    assert failure is not None
    assert failure.kind is FailureKind.BAD_ENCODING
    assert "\ufffd" in failure.detail
    # The detail quotes the first broken word, and only it.
    quoted = failure.detail.split("(e.g. '")[1].split("')")[0]
    assert "\ufffd" in quoted and quoted in shown and not any(c.isspace() for c in quoted)


@pytest.mark.parametrize("text", [PORTUGUESE, FRENCH, GERMAN], ids=["pt", "fr", "de"])
def test_utf8_bytes_read_as_windows_1252_are_bad_encoding(text: str) -> None:
    shown = as_windows_1252(text.encode("utf-8"))
    failure = assess_text(result(), shown, limits=LIMITS)
    assert failure is not None
    assert failure.kind is FailureKind.BAD_ENCODING
    assert "Ã" in failure.detail or "â€" in failure.detail


def test_english_mojibake_from_curly_quotes_alone_is_caught() -> None:
    english = "Meta’s policy explains how we use “your information” — and why. " * 30
    shown = canonical(f"<main><p>{as_windows_1252(english.encode())}</p></main>")
    failure = assess_text(result(), shown, limits=LIMITS)
    assert failure is not None and failure.kind is FailureKind.BAD_ENCODING
    assert assess_text(result(), canonical(f"<main><p>{english}</p></main>"), limits=LIMITS) is None


def test_text_over_the_limit_is_too_large() -> None:
    limits = PageLimits(max_text_chars=1_000)
    failure = assess_text(result(), "a" * 1_001, limits=limits)
    assert failure is not None and failure.kind is FailureKind.TOO_LARGE
    assert "1,001 characters" in failure.detail and "1,000" in failure.detail
    assert assess_text(result(), "a" * 1_000, limits=limits) is None
    # What counts is the visible text: link targets in the canonical text are not read.
    linked = "[Section](https://www.facebook.com/privacy/policy/) " * 50
    assert assess_text(result(), linked, limits=limits, visible_chars=400) is None
    failure = assess_text(result(), linked, limits=limits, visible_chars=1_200)
    assert failure is not None and "1,200 characters" in failure.detail
