"""classify reading the whole documents: renames, spelling, re-renderings and what the old
document already said are not new (our own short texts)."""

from __future__ import annotations

from watcher.classify import Finding, FindingKind, classify
from watcher.classify.variant import read_variant
from watcher.diff import diff_documents
from watcher.normalize import Document, normalize_html

BASE = "https://www.facebook.com/privacy/policy/"
K = FindingKind


def document(body: str) -> Document:
    html = f'<html lang="en"><body><div role="main">{body}</div></body></html>'
    return normalize_html(html, base_url=BASE, select=['[role="main"]'])


def findings(old: str, new: str, *, whole: bool = True, region: str = "eu") -> list[Finding]:
    before, after = document(old), document(new)
    change = diff_documents(before, after)
    if not whole:
        return classify(change, region=region)
    return classify(change, region=region, before=before, after=after)


def kinds(found: list[Finding]) -> set[FindingKind]:
    return {f.kind for f in found}


RENAMED = """
<h1>Privacy Policy</h1>
<p>If you live in the European Region, Northwind Ireland Limited is responsible for your
information and decides how it is handled.</p>
<h2>Who provides the services</h2>
<p>Northwind Ireland Limited provides the services described here to people in the European
Region.</p>
<p>Questions about this policy go to Northwind Ireland Limited by post.</p>
"""


def test_a_company_renamed_throughout_the_document_is_cosmetic() -> None:
    new = RENAMED.replace("Northwind Ireland Limited", "Harbor Platforms Ireland Limited")
    # Read block by block, the rename next to a region clause looks like a changed clause.
    assert K.REGION_RESTRICTION in kinds(findings(RENAMED, new, whole=False))
    assert kinds(findings(RENAMED, new)) == {K.COSMETIC}


def test_a_rename_does_not_hide_what_else_changed_in_the_block() -> None:
    new = RENAMED.replace("Northwind Ireland Limited", "Harbor Platforms Ireland Limited").replace(
        "by post.", "by post. We also use your messages to train AI models."
    )
    found = findings(RENAMED, new)
    assert K.DATA_USE_EXPANDED in kinds(found)
    (use,) = [f for f in found if f.kind is K.DATA_USE_EXPANDED]
    assert use.evidence_after == "We also use your messages to train AI models."


def test_a_substitution_made_in_one_block_only_is_not_a_rename() -> None:
    new = RENAMED.replace(
        "If you live in the European Region, Northwind Ireland Limited",
        "If you live in the European Region or the UK, Harbor Platforms Ireland Limited",
    )
    assert K.REGION_RESTRICTION in kinds(findings(RENAMED, new))


BRITISH = """
<h1>Privacy Policy</h1>
<p>We utilise your information to personalise the ads you see, and we honour your choices.</p>
<h2>How we use information</h2>
<p>Our organisation uses the information to recognise your behaviour across the Centre.</p>
<p>We share information with partners under a licence that the metre of use governs.</p>
"""
AMERICAN = """
<h1>Privacy Policy</h1>
<p>We utilize your information to personalize the ads you see, and we honor your choices.</p>
<h2>How we use information</h2>
<p>Our organization uses the information to recognize your behavior across the Center.</p>
<p>We share information with partners under a license that the meter of use governs.</p>
"""


def test_a_whole_document_switching_to_american_spelling_is_cosmetic() -> None:
    found = findings(BRITISH, AMERICAN)
    assert kinds(found) == {K.COSMETIC}
    assert kinds(findings(AMERICAN, BRITISH)) == {K.COSMETIC}


def test_a_spelling_switch_with_a_new_purpose_still_tells_the_purpose() -> None:
    new = AMERICAN.replace("governs.", "governs. We also sell information to advertisers.")
    assert K.DATA_USE_EXPANDED in kinds(findings(BRITISH, new))


COLLAPSED = """
<h1>Privacy Policy</h1>
<h2>What information do we collect?</h2>
<p>We collect the messages you send and the photos you upload.</p>
<h2>How do we use your information?</h2>
<p>We use information to show you ads.</p>
"""
EXPANDED = """
<h1>Privacy Policy</h1>
<h2>What information do we collect?</h2>
<p>We collect the messages you send and the photos you upload.</p>
<h3>Learn more: messages</h3>
<ul><li>We collect the messages you send and the photos you upload.</li></ul>
<h2>How do we use your information?</h2>
<p>We use information to show you ads.</p>
<h3>Example</h3>
<p>We use information to show you ads.</p>
"""


def test_sections_expanded_with_the_same_sentences_are_cosmetic() -> None:
    # Block by block, the item added under the collection heading reads as a new category.
    assert K.NEW_DATA_CATEGORY in kinds(findings(COLLAPSED, EXPANDED, whole=False))
    assert kinds(findings(COLLAPSED, EXPANDED)) == {K.COSMETIC}
    assert kinds(findings(EXPANDED, COLLAPSED)) == {K.COSMETIC}


def test_an_expanded_section_that_adds_one_sentence_quotes_that_sentence() -> None:
    new = EXPANDED.replace(
        "<li>We collect the messages you send and the photos you upload.</li>",
        "<li>We collect the messages you send and the photos you upload. "
        "We also collect voice recordings you make.</li>",
    )
    found = findings(COLLAPSED, new)
    (category,) = [f for f in found if f.kind is K.NEW_DATA_CATEGORY]
    assert category.evidence_after == "We also collect voice recordings you make."
    assert category.terms == ("voice", "voice recordings")


LISTED = """
<h1>Privacy Policy</h1>
<p>Some features use your device information and your location to work.</p>
<h2>What information do we collect?</h2>
<ul><li>Content you create</li></ul>
"""


def test_a_new_item_naming_data_the_document_never_named_is_a_new_category() -> None:
    new = LISTED.replace("</ul>", "<li>Voice recordings you make</li></ul>")
    found = findings(LISTED, new)
    (category,) = [f for f in found if f.kind is K.NEW_DATA_CATEGORY]
    assert "voice recordings" in category.terms


EEA_TEXT = (
    "whatsapp ireland limited is the controller of your information. we share information with "
    "meta platforms, inc. and other meta companies. the legal bases we rely on include our "
    "legitimate interests, and you have the right to object. you can lodge a complaint with "
    "the data protection commission."
)


def test_an_eea_text_naming_a_us_company_in_passing_is_the_eea_variant() -> None:
    reading = read_variant(EEA_TEXT)
    assert reading.declared == {"eu", "uk"}
    assert not reading.contradicts("eu")
    assert reading.contradicts("us")


def test_the_variant_switch_is_read_without_a_controller_line() -> None:
    without_controller = EEA_TEXT.split(". ", 2)[2]
    assert read_variant(without_controller).contradicts("us")


def test_a_single_weak_mark_says_nothing_of_the_variant() -> None:
    passing = "we comply with laws such as the gdpr where they apply to us."
    reading = read_variant(passing)
    assert reading.declared == frozenset()
    assert not reading.contradicts("us")
    assert read_variant("meta platforms, inc. provides these services.").contradicts("eu")
