"""Server-rendered pages that stand in for the real thing: login wall, block, errors.

They need no JavaScript (Meta serves these without the page app), and none of them is a policy
page: watcher's health checks must recognise every one as a failed fetch.
"""

from __future__ import annotations

import html

from watcher.simsite.catalog import CHROME
from watcher.simsite.text import language_of


def _document(language: str, title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}" id="facebook">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title, quote=False)}</title>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _strings(locale: str) -> tuple[str, dict[str, str]]:
    language = language_of(locale)
    keys = [
        *("login_title", "login_body", "login_email", "login_password", "login_button"),
        *("blocked_title", "blocked_body", "rate_limited_title", "rate_limited_body"),
        *("error_title", "error_body", "not_available_title", "not_available_body"),
        *("leaving_title", "leaving_body"),
    ]
    # Text nodes only, so quotes stay as typed ("You're Temporarily Blocked").
    return language, {key: html.escape(CHROME.get(language, key), quote=False) for key in keys}


def render_login_page(*, locale: str, next_url: str) -> str:
    """The login wall Meta redirects to ("Log in to continue")."""
    language, text = _strings(locale)
    next_field = (
        f'<input type="hidden" name="next" value="{html.escape(next_url)}">' if next_url else ""
    )
    body = (
        '<div role="main" id="login_form_container">'
        f"<h1>{text['login_title']}</h1><p>{text['login_body']}</p>"
        '<form id="login_form" method="post" action="/login/">'
        f'<label for="email">{text["login_email"]}</label>'
        '<input type="text" id="email" name="email" autocomplete="username">'
        f'<label for="pass">{text["login_password"]}</label>'
        '<input type="password" id="pass" name="pass" autocomplete="current-password">'
        f"{next_field}"
        f'<button type="submit" name="login">{text["login_button"]}</button>'
        "</form></div>"
    )
    return _document(language, CHROME.get(language, "login_title"), body)


def render_blocked_page(*, locale: str) -> str:
    """HTTP 200 page Meta shows after too many requests ("You're Temporarily Blocked")."""
    language, text = _strings(locale)
    body = f'<div role="main"><h1>{text["blocked_title"]}</h1><p>{text["blocked_body"]}</p></div>'
    return _document(language, CHROME.get(language, "blocked_title"), body)


def render_status_page(status: int, *, locale: str) -> str:
    """Plain pages for 404, 429 and 500 answers."""
    language, text = _strings(locale)
    prefix = {404: "not_available", 429: "rate_limited"}.get(status, "error")
    body = (
        f'<div role="main"><h1>{text[prefix + "_title"]}</h1><p>{text[prefix + "_body"]}</p></div>'
    )
    return _document(language, CHROME.get(language, f"{prefix}_title"), body)


def render_leaving_page(*, locale: str, target: str) -> str:
    """What /l.php shows: the unwrapped target as text. It never redirects (no internet here)."""
    language, text = _strings(locale)
    body = (
        f'<div role="main"><h1>{text["leaving_title"]}</h1><p>{text["leaving_body"]}</p>'
        f"<p><code>{html.escape(target, quote=False)}</code></p></div>"
    )
    return _document(language, CHROME.get(language, "leaving_title"), body)
