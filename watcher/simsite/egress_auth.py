"""Optional Basic authentication of the simulated site's egress proxies.

Nearly every proxy a user rents for a region wants a user name and password. With credentials
configured, an egress answers `407 Proxy Authentication Required` to any request (plain or
CONNECT) that lacks the right `Proxy-Authorization`, as such a proxy does, and counts what it
saw so tests can tell that the browser really sent the credentials.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

AuthOutcome = Literal["missing", "rejected", "accepted"]
AUTH_OUTCOMES: tuple[AuthOutcome, ...] = ("missing", "rejected", "accepted")


@dataclass(frozen=True)
class EgressCredentials:
    """The user name and password every egress proxy of a site requires."""

    username: str
    password: str = field(repr=False)
    realm: str = "simulated egress"

    def judge(self, header: str | None) -> AuthOutcome:
        """What a `Proxy-Authorization` header value is worth against these credentials."""
        if not header:
            return "missing"
        scheme, _, encoded = header.strip().partition(" ")
        if scheme.lower() != "basic":
            return "rejected"
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return "rejected"
        expected = f"{self.username}:{self.password}".encode()
        # Constant-time, as a real proxy compares secrets.
        return "accepted" if hmac.compare_digest(decoded, expected) else "rejected"

    def challenge(self) -> str:
        """The `Proxy-Authenticate` value of a 407 answer."""
        return f'Basic realm="{self.realm}", charset="UTF-8"'


class EgressAuthLog:
    """How many requests each region's egress saw without, with wrong and with right credentials.

    Written by the handler threads, read by tests.
    """

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, AuthOutcome]] = Counter()
        self._lock = threading.Lock()

    def record(self, region: str, outcome: AuthOutcome) -> None:
        with self._lock:
            self._counts[(region, outcome)] += 1

    def counts(self, region: str) -> dict[AuthOutcome, int]:
        with self._lock:
            return {outcome: self._counts[(region, outcome)] for outcome in AUTH_OUTCOMES}

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
