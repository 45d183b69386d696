"""The main region as the page script builds it, serialised the way a browser does.

This mirrors content/render.js element for element and attribute for attribute, so
`render_page(..., as_rendered=True)` gives what `page.content()` returns after the script ran,
without a browser. A browser test checks that both produce the same `innerHTML`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _text(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("\xa0", "&nbsp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _attribute(value: str) -> str:
    # Current Chromium also escapes < and > inside attribute values when serialising.
    escaped = value.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace('"', "&quot;")
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def _element(tag: str, attributes: Sequence[tuple[str, str]], inner: str = "") -> str:
    rendered = "".join(f' {name}="{_attribute(value)}"' for name, value in attributes)
    if tag in ("img", "input"):
        return f"<{tag}{rendered}>"
    return f"<{tag}{rendered}>{inner}</{tag}>"


def _class(classes: str | None) -> list[tuple[str, str]]:
    return [("class", classes)] if classes else []


def _parts(parts: Sequence[Any]) -> str:
    rendered = []
    for part in parts:
        if isinstance(part, str):
            rendered.append(_text(part))
            continue
        attributes = [*_class(part.get("c")), ("href", part["h"])]
        if part.get("x"):
            attributes += [("target", "_blank"), ("rel", "nofollow noreferrer")]
        rendered.append(_element("a", attributes, _text(part["t"])))
    return "".join(rendered)


def _field(spec: Mapping[str, Any], index: int) -> str:
    field_id = f"sim_field_{index}_{spec['n']}"
    label = _element("label", [("for", field_id)], _text(spec["l"]))
    named = [("name", spec["n"]), ("id", field_id)]
    if spec["t"] == "textarea":
        control = _element("textarea", [("rows", "5"), *named])
    elif spec["t"] == "select":
        options = "".join(_element("option", [], _text(text)) for text in spec.get("o", []))
        control = _element("select", named, options)
    else:
        control = _element("input", [("type", spec["t"]), *named])
    return _element("div", _class(spec.get("c")), label + control)


def _form(spec: Mapping[str, Any]) -> str:
    inner = "".join(_field(item, index) for index, item in enumerate(spec["fields"]))
    inner += "".join(
        _element("input", [("type", "hidden"), ("name", name), ("value", value)])
        for name, value in spec.get("hidden", {}).items()
    )
    inner += _element("button", [("type", "submit")], _text(spec["s"]))
    attributes = [*_class(spec.get("c")), ("method", "post"), ("action", spec["action"])]
    return _element("form", attributes, inner)


def _toc(spec: Mapping[str, Any]) -> str:
    items = "".join(
        _element("li", [], _parts([{"h": item["h"], "t": item["t"], "c": item["c"]}]))
        for item in spec["items"]
    )
    inner = _element("div", [], _text(spec["t"])) + _element("ul", [], items)
    attributes = [*_class(spec.get("c")), ("role", "navigation"), ("aria-label", spec["t"])]
    return _element("div", attributes, inner)


def _block(spec: Mapping[str, Any]) -> str:
    kind = spec["k"]
    anchor = [("id", spec["a"])] if spec.get("a") else []
    classes = _class(spec.get("c"))
    if kind in ("h1", "h2", "h3", "p"):
        return _element(kind, classes + anchor, _parts(spec.get("p", [])))
    if kind == "note":
        return _element("div", [*classes, ("role", "note"), *anchor], _parts(spec["p"]))
    if kind == "meta":
        return _element("div", classes + anchor, _parts(spec["p"]))
    if kind == "img":
        size = [("width", "640"), ("height", "360")]
        return _element("img", [*classes, ("src", spec["src"]), ("alt", spec["alt"]), *size])
    if kind == "toc":
        return _toc(spec)
    if kind == "form":
        return _form(spec)
    if kind == "sep":
        return _element("div", [*classes, ("role", "separator")])
    return _element("div", [])


def render_main(blocks: Sequence[Mapping[str, Any]]) -> str:
    """innerHTML of `[role=main]` once the page script has rendered `blocks`."""
    rendered: list[str] = []
    list_items: list[str] = []
    list_classes: str | None = None

    def close_list() -> None:
        if list_items:
            rendered.append(_element("ul", _class(list_classes), "".join(list_items)))
            list_items.clear()

    for spec in blocks:
        if spec["k"] == "li":
            if not list_items:
                list_classes = spec.get("uc")
            list_items.append(_element("li", _class(spec.get("c")), _parts(spec.get("p", []))))
            continue
        close_list()
        rendered.append(_block(spec))
    close_list()
    return "".join(rendered)
