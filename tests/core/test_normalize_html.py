"""normalize_html: structure, visible text only, site chrome and content selection."""

from __future__ import annotations

import pytest

from watcher.normalize import (
    Block,
    BlockKind,
    Document,
    InlineLink,
    SelectorMatchedNothing,
    normalize_html,
    selector_problem,
)

BASE = "https://www.example.org/privacy/policy/"


def blocks_of(html: str, **options: object) -> tuple[Block, ...]:
    return normalize_html(html, base_url=BASE, **options).blocks  # type: ignore[arg-type]


def canonical(html: str, **options: object) -> str:
    return normalize_html(html, base_url=BASE, **options).canonical_text()  # type: ignore[arg-type]


def test_headings_paragraphs_lists_tables_links_and_fields_become_blocks() -> None:
    html = """<body><main>
      <h1>Privacy Policy</h1>
      <p>We explain <a href="/privacy/genai/">how we use information</a> here.</p>
      <ul><li>Posts<ul><li>Captions</li></ul></li><li>Comments</li></ul>
      <table><tr><th>Purpose</th><th>Basis</th></tr><tr><td>Ads</td><td>Consent</td></tr></table>
      <div><a href="/help/contact/1">Object</a></div>
      <form><label for="e">Email address</label><input id="e" name="email" type="email">
        <button>Send</button></form>
    </main></body>"""
    assert canonical(html) == (
        "# Privacy Policy\n\n"
        "We explain [how we use information](https://www.example.org/privacy/genai/) here.\n\n"
        "- Posts\n  - Captions\n- Comments\n\n"
        "| Purpose | Basis |\n| Ads | Consent |\n\n"
        "[Object](https://www.example.org/help/contact/1)\n\n"
        '::field[Email address]{type="email" name="email"}\n'
        '::field[Send]{type="submit"}\n'
    )


def test_div_soup_with_generated_classes_gives_the_same_blocks_as_semantic_markup() -> None:
    semantic = "<h2>Your rights</h2><p>You can object.</p><ul><li>Access</li></ul>"
    div_soup = """
      <div class="x1n2onr6 xh8yej3"><span class="x193iq5w" role="heading" aria-level="2">Your
        rights</span></div>
      <div class="xdj266r"><span>You can </span><span class="x1lliihq">object.</span></div>
      <div role="list"><div role="listitem"><span>Access</span></div></div>"""
    assert canonical(div_soup) == canonical(semantic)


def test_line_breaks_split_paragraphs_and_inline_elements_do_not() -> None:
    assert blocks_of("<p>First line<br>Second <b>bold</b> line</p>") == (
        Block(BlockKind.PARAGRAPH, "First line"),
        Block(BlockKind.PARAGRAPH, "Second bold line"),
    )


def test_a_card_link_wrapping_blocks_is_one_link_block() -> None:
    html = '<a href="/privacy/genai/"><div><h3>Generative AI</h3><p>How we use it</p></div></a>'
    assert blocks_of(html) == (
        Block(
            BlockKind.LINK,
            "Generative AI How we use it",
            href="https://www.example.org/privacy/genai/",
        ),
    )


def test_a_link_inside_a_list_item_keeps_its_place() -> None:
    (item,) = blocks_of('<ul><li>Read the <a href="/terms">terms</a> first</li></ul>')
    assert item.text == "Read the terms first"
    assert item.links == (InlineLink(9, 14, "https://www.example.org/terms"),)


def test_layout_tables_are_read_as_containers() -> None:
    html = "<table role='presentation'><tr><td><h2>Title</h2><p>Body text.</p></td></tr></table>"
    assert canonical(html) == "## Title\n\nBody text.\n"


def test_form_controls_take_their_label_from_the_markup_that_names_them() -> None:
    html = """<form>
      <label><input type="checkbox" name="agree"> I object</label>
      <input name="q" aria-label="Search term">
      <span id="lbl">Country</span><select name="country" aria-labelledby="lbl">
        <option>France</option></select>
      <textarea name="why" placeholder="Tell us why"></textarea>
      <input type="submit" value="Send objection">
    </form>"""
    fields = [b for b in blocks_of(html) if b.kind is BlockKind.FIELD]
    assert [(f.text, f.name, f.control) for f in fields] == [
        ("I object", "agree", "checkbox"),
        ("Search term", "q", "text"),
        ("Country", "country", "select"),
        ("Tell us why", "why", "textarea"),
        ("Send objection", None, "submit"),
    ]


@pytest.mark.parametrize(
    "hidden",
    [
        "<script>document.write('x')</script>",
        "<style>.a{color:red}</style>",
        "<template><p>later</p></template>",
        "<noscript>Enable JavaScript</noscript>",
        "<p hidden>hidden attribute</p>",
        '<p aria-hidden="true">icon text</p>',
        '<p style="color: red; display : none">inline display none</p>',
        '<p style="visibility:hidden">invisible</p>',
        '<input type="hidden" name="fb_dtsg" value="AQH1x">',
        '<img src="/a.jpg?oh=1&oe=2" alt="picture">',
        "<svg><text>vector</text></svg>",
        "<!-- a comment -->",
    ],
)
def test_what_a_reader_cannot_see_is_not_content(hidden: str) -> None:
    assert canonical(f"<body><p>Visible.</p>{hidden}</body>") == "Visible.\n"


@pytest.mark.parametrize(
    "chrome",
    [
        '<div role="dialog"><p>Allow all cookies?</p><button>Accept All</button></div>',
        '<div aria-modal="true"><p>Log in to see more</p></div>',
        '<div role="navigation"><a href="/">Home</a></div>',
        "<nav><a href='/help'>Help</a></nav>",
        "<header><a href='/'>Facebook</a></header>",
        "<footer>Meta © 2026</footer>",
        '<div role="banner">Logo</div>',
        '<div role="contentinfo">About</div>',
        '<div role="alert">We updated our policy.</div>',
        "<form><p>Log in to continue</p><input name=email><input type=password></form>",
    ],
)
def test_site_chrome_is_removed_by_default(chrome: str) -> None:
    assert canonical(f"<body>{chrome}<main><p>Policy text.</p></main></body>") == "Policy text.\n"


@pytest.mark.parametrize(
    "heading",
    [
        "Related articles",
        "Other ways to get help",
        "Articles associés",
        "Ähnliche Artikel",
        "Artigos relacionados",
    ],
)
def test_help_page_extras_are_removed_with_their_section(heading: str) -> None:
    boxed = f"""<main><h1>Objecting</h1><p>How to object.</p>
      <div><h3>{heading}</h3><ul><li><a href="/help/1">Other article</a></li></ul></div></main>"""
    loose = f"""<main><h2>Objecting</h2><p>How to object.</p>
      <h3>{heading}</h3><ul><li><a href="/help/1">Other article</a></li></ul>
      <h2>Next section</h2><p>Kept.</p></main>"""
    assert canonical(boxed) == "# Objecting\n\nHow to object.\n"
    assert canonical(loose) == "## Objecting\n\nHow to object.\n\n## Next section\n\nKept.\n"


def test_a_page_hidden_behind_a_modal_dialog_is_still_read() -> None:
    html = """<body><div aria-hidden="true"><div role="main"><p>Policy text.</p>
      <span aria-hidden="true">icon</span></div></div>
      <div role="dialog" aria-modal="true"><p>Allow all cookies?</p></div></body>"""
    assert canonical(html, select=['[role="main"]']) == "Policy text.\n"


def test_select_reads_every_matching_root_in_page_order() -> None:
    html = """<body><div class="a">Outside.</div>
      <div role="main"><p>First.</p><div role="main"><p>Nested.</p></div></div>
      <article><p>Second.</p></article></body>"""
    text = canonical(html, select=['[role="main"]', "article"])
    assert text == "First.\n\nNested.\n\nSecond.\n"


def test_a_selected_root_is_kept_even_when_it_is_chrome() -> None:
    html = '<body><nav><p><a href="/a">A</a></p><p><a href="/b">B</a></p></nav><p>Other.</p></body>'
    assert canonical(html, select=["nav"]) == (
        "[A](https://www.example.org/a)\n\n[B](https://www.example.org/b)\n"
    )


def test_remove_drops_matching_elements_everywhere() -> None:
    html = '<main><p>Keep.</p><p class="banner">Promo.</p></main>'
    assert canonical(html, remove=[".banner"]) == "Keep.\n"


def test_a_selector_that_matches_nothing_is_an_error_naming_it() -> None:
    with pytest.raises(SelectorMatchedNothing) as raised:
        normalize_html("<p>x</p>", base_url=BASE, select=['[role="main"]', "#root"])
    assert raised.value.selectors == ('[role="main"]', "#root")
    assert "#root" in str(raised.value)


def test_a_selector_that_only_matches_hidden_content_matches_nothing() -> None:
    with pytest.raises(SelectorMatchedNothing):
        normalize_html('<div role="main" hidden>x</div>', base_url=BASE, select=['[role="main"]'])


def test_selector_problem_explains_an_unusable_selector() -> None:
    assert selector_problem('[role="main"]') is None
    assert selector_problem("div[") is not None


def test_an_empty_page_is_an_empty_document() -> None:
    document = normalize_html("", base_url=BASE)
    assert document == Document(())
    assert document.text_length == 0
    assert document.canonical_text() == ""


def test_normalizing_is_deterministic() -> None:
    html = "<main><h1>T</h1><p>One <a href='/x?fbclid=1'>two</a>.</p><ul><li>a</li></ul></main>"
    assert len({canonical(html) for _ in range(5)}) == 1
