"""How a page of the simulated site misbehaves, set per page and optionally per region."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    NORMAL = "normal"
    LOGIN_WALL = "login_wall"  # 302 to /login/?next=... ("Log in to continue")
    RATE_LIMITED = "rate_limited"  # HTTP 429
    BLOCKED = "blocked"  # HTTP 200 "You're Temporarily Blocked ... going too fast"
    HTTP_ERROR = "http_error"  # HTTP 500
    HANG = "hang"  # headers and a partial body, then nothing until the site stops
    EMPTY = "empty"  # the script renders nothing into the main region
    TRUNCATED = "truncated"  # only the title, banners and table of contents
    CONSENT_STUCK = "consent_stuck"  # the cookie dialog's buttons do nothing
    WRONG_REGION = "wrong_region"  # the us variant whatever the egress


# Modes that change the rendered document rather than the HTTP exchange.
RENDER_MODES = frozenset({Mode.EMPTY, Mode.TRUNCATED, Mode.CONSENT_STUCK, Mode.WRONG_REGION})
