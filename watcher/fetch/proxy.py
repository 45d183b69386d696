"""`Proxy`: a region's network egress as a value, with its credentials kept out of every text.

A proxy is written as one URL (`http://user:pass@host:3128`), but Playwright drops whatever
precedes the host in `server` and wants the user name and password on their own, decoded. The
URL is parsed once, at config load, into this value; from then on only `display` (password
replaced by `***`) is ever printed, and the raw URL is not kept at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args
from urllib.parse import quote, unquote, urlsplit

ProxyScheme = Literal["http", "https", "socks5"]
PROXY_SCHEMES: tuple[ProxyScheme, ...] = get_args(ProxyScheme)

# RFC 1929: the user name and the password each travel with a one-byte length.
SOCKS5_CREDENTIAL_MAX_BYTES = 255
DEFAULT_PORTS: dict[ProxyScheme, int] = {"http": 80, "https": 443, "socks5": 1080}

_SHAPE = (
    "expected scheme://[user:password@]host[:port], with any of @ : / ? # % in the user name or"
    " password percent-encoded (value not shown: it may hold a password)"
)


@dataclass(frozen=True)
class Proxy:
    """Where a region's requests leave from, and the credentials that proxy wants.

    Equality and hashing include the password, so two regions behind the same proxy with
    different accounts never share a browser context; `repr` and `str` never show it.
    """

    scheme: ProxyScheme
    host: str  # an IPv6 address without its brackets
    port: int | None = None
    username: str = ""  # percent-decoded
    password: str = field(default="", repr=False)  # percent-decoded
    bypass: str | None = None  # hosts that skip the proxy, comma-separated (Chromium's syntax)

    @classmethod
    def from_url(cls, url: str, *, bypass: str | None = None) -> Proxy:
        """Parses `scheme://[user[:password]@]host[:port]`; raises ValueError without quoting it.

        A mistyped proxy URL (a missing '@', a stray space) makes it impossible to tell the
        password apart from the host, and error messages end up in logs and reports.
        """
        if not url.strip() or any(character.isspace() for character in url):
            raise ValueError(f"not a valid proxy URL: {_SHAPE}")
        try:
            parts = urlsplit(url)
            port = parts.port  # reading it validates it
        except ValueError:
            raise ValueError(f"not a valid proxy URL: {_SHAPE}") from None
        scheme = _scheme(parts.scheme)
        if not parts.hostname:
            raise ValueError(f"proxy URL has no host: {_SHAPE}")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"a proxy URL has no path or query: {_SHAPE}")
        username, password = _credentials(parts.username, parts.password)
        _check_credentials(scheme, username, password)
        return cls(scheme, parts.hostname, port, username, password, bypass)

    @property
    def has_credentials(self) -> bool:
        return bool(self.username or self.password)

    @property
    def effective_port(self) -> int:
        """The port, or the scheme's usual one where the URL gives none."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.scheme]

    @property
    def server(self) -> str:
        """`scheme://host[:port]`, what the browser is given as the proxy server."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")

    @property
    def display(self) -> str:
        """The proxy as it may be printed: `http://user:***@host:port`."""
        if not self.has_credentials:
            return self.server
        secret = ":***" if self.password else ""
        return self.server.replace("://", f"://{quote(self.username, safe='')}{secret}@", 1)

    def __str__(self) -> str:
        return self.display


def _scheme(value: str) -> ProxyScheme:
    for scheme in PROXY_SCHEMES:
        if value == scheme:
            return scheme
    schemes = ", ".join(f"{s}://" for s in PROXY_SCHEMES)
    raise ValueError(f"a proxy URL must start with {schemes}")


def _credentials(username: str | None, password: str | None) -> tuple[str, str]:
    try:
        return (
            unquote(username or "", errors="strict"),
            unquote(password or "", errors="strict"),
        )
    except UnicodeDecodeError:
        raise ValueError(
            "the proxy user name or password is not valid percent-encoded UTF-8"
            " (value not shown: it may hold a password)"
        ) from None


def _check_credentials(scheme: ProxyScheme, username: str, password: str) -> None:
    if password and not username:
        raise ValueError("proxy URL has a password but no user name")
    if scheme == "socks5":
        too_long = any(
            len(value.encode()) > SOCKS5_CREDENTIAL_MAX_BYTES for value in (username, password)
        )
        if too_long:
            raise ValueError(
                f"a SOCKS5 user name or password is at most {SOCKS5_CREDENTIAL_MAX_BYTES} bytes"
                " (RFC 1929)"
            )
    elif ":" in username:
        # Basic authentication joins the two with ':', so the proxy would split them elsewhere.
        raise ValueError("an HTTP proxy user name cannot contain ':' (Basic authentication)")
