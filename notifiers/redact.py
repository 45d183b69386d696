"""Keeping the secrets in Apprise URLs out of error texts and logs.

An Apprise URL is a credential: bot tokens (`tgram://123:AA.../chat`), webhook paths
(`slack://T/B/C`), passwords (`mailto://user:pw@host`), API keys in the query. Every
message that leaves this package goes through `redact_text`, and `RedactingFilter` does
the same for log records, so a URL is only ever shown as `redact_url` prints it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote

REDACTED = "***"

# Secrets shorter than this are not replaced inside free text: "pw" or "42" would
# shred ordinary words and numbers. URLs themselves are always redacted structurally.
MIN_SECRET_LENGTH = 3

# Apprise has schemes starting with a digit (`46elks://`).
_URL_SHAPE = re.compile(r"^(?P<scheme>[A-Za-z0-9][A-Za-z0-9+.\-]*)://(?P<rest>.*)$", re.DOTALL)
# A URL inside free text ends at whitespace, quotes or angle brackets.
_URL_IN_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9+.\-]{1,30}://(?:[^\s\"'<>]*[^\s\"'<>.,;:!?)\]])?")
_HOSTNAME = re.compile(r"^(localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-_]+(\.[A-Za-z0-9\-_]+)+)$")
_DIGITS = re.compile(r"^[0-9]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Query keys whose values are credentials whatever they look like.
_SECRET_KEY_PARTS = ("token", "secret", "pass", "pwd", "key", "auth", "sig", "cred", "session")
# Apprise reads `+Name=value` query entries as HTTP headers (json://, form://, ...);
# those usually carry API keys.
_HEADER_PREFIX = "+"


def _looks_secret(value: str) -> bool:
    """A token-like string: long, or mixing letters and digits like generated keys do."""
    value = unquote(value)
    if not value or _DIGITS.match(value) or _EMAIL.match(value):
        # Chat ids, phone numbers and addresses identify a target, they grant nothing.
        return False
    if len(value) >= 16:
        return True
    has_digit = any(c.isdigit() for c in value)
    has_letter = any(c.isalpha() for c in value)
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    if len(value) >= 12 and (has_digit or mixed_case):
        return True
    return len(value) >= 8 and has_digit and has_letter


@dataclass(frozen=True)
class _Redaction:
    url: str
    secrets: frozenset[str]


class _Collector:
    """Replaces secret pieces while remembering them for `url_secrets`."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()

    def hide(self, value: str) -> str:
        if value:
            self.secrets.update({value, unquote(value)})
        return REDACTED


def _outer(value: str, hide: _Collector) -> str:
    """A secret shown as Apprise's privacy mode shows it: first and last character (`T...1`).

    Only for Slack's workspace token, which Apprise itself prints so: the owner recognises
    the workspace, nobody learns the token (it is still collected for `redact_text`).
    """
    if not value or REDACTED in value or "..." in value:
        return value  # already redacted, by us or by Apprise
    hide.hide(value)
    plain = unquote(value)
    return f"{plain[:1]}...{plain[-1:]}"


def _redact_authority(scheme: str, authority: str, hide: _Collector) -> tuple[str, bool]:
    """The authority redacted, and whether its host is a network host name (else a token)."""
    userinfo, at, hostport = authority.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        if colon:
            userinfo = f"{hide.hide(user) if _looks_secret(user) else user}:{hide.hide(password)}"
        elif _looks_secret(user):
            userinfo = hide.hide(user)
    host, colon, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")
    is_network_host = _HOSTNAME.match(host) is not None and (not colon or port.isdigit())
    if scheme == "tgram" or (scheme == "slack" and hostport.lower().startswith("xox")):
        # The host of these URLs is the bot token itself.
        hostport = hide.hide(hostport)
    elif scheme == "slack":
        hostport = _outer(hostport, hide)  # TokenA: slack://TokenA/TokenB/TokenC/#channel
    elif not is_network_host and (_looks_secret(hostport) or _DIGITS.match(unquote(hostport))):
        # Where a service's URL has no host, its first token sits there: a webhook or
        # project id (discord://ID/TOKEN), a phone-number id. Apprise keeps them private.
        hostport = hide.hide(hostport)
    return f"{userinfo}{at}{hostport}", is_network_host


# Webhook URLs given in the service's own https form, and the path segments that are tokens.
_SLACK_HOOK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")
_DISCORD_HOOK_HOSTS = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")
# Schemes whose first path segments are tokens when a network host comes first
# (`fluxers://host/WEBHOOK_ID/TOKEN`, `notificos://host/PROJECT_ID/HOOK`).
_TOKENS_AFTER_HOST = {"fluxer": 2, "fluxers": 2, "notifico": 2, "notificos": 2}
# ... and the tokens of `discord://WEBHOOK_ID/TOKEN`, `slack://TokenA/TokenB/TokenC`.
_TOKENS_IN_PATH = {"discord": 1, "slack": 2}


def _secret_segments(scheme: str, host: str, network_host: bool, segments: list[str]) -> range:
    """Indexes of path segments that are tokens whatever they look like (digits included)."""
    host = host.rpartition("@")[2].partition(":")[0].lower()
    first = segments[0].lower() if segments else ""
    if scheme in ("http", "https") and host in _SLACK_HOOK_HOSTS:
        return range(1, len(segments))  # services/TokenA/TokenB/TokenC, workflows/..., ...
    if scheme in ("http", "https") and host in _DISCORD_HOOK_HOSTS and first == "api":
        return range(2, min(len(segments), 4))  # api/webhooks/ID/TOKEN
    if network_host and scheme in _TOKENS_AFTER_HOST:
        return range(min(len(segments), _TOKENS_AFTER_HOST[scheme]))
    if scheme == "slack" and host.startswith("xox"):
        return range(0)  # a bot token in the host, channels in the path
    if not network_host and scheme in _TOKENS_IN_PATH:
        return range(min(len(segments), _TOKENS_IN_PATH[scheme]))
    return range(0)


def _redact_path(scheme: str, host: str, network_host: bool, path: str, hide: _Collector) -> str:
    segments = path.split("/")
    forced = _secret_segments(scheme, host, network_host, segments)
    slack_hook = scheme in ("http", "https") and forced.start == 1
    for index, segment in enumerate(segments):
        plain = unquote(segment)
        if index in forced and plain:
            show_ends = slack_hook and index == 1 and segments[0].lower() == "services"
            segments[index] = _outer(segment, hide) if show_ends else hide.hide(segment)
            continue
        if not plain or plain[0] in "#@+" or _DIGITS.match(plain) or _EMAIL.match(plain):
            continue  # channels, users, chat ids, recipients
        if scheme == "slack" or _looks_secret(segment):
            segments[index] = hide.hide(segment)
    return "/".join(segments)


def _redact_query(query: str, hide: _Collector) -> str:
    pairs = query.split("&")
    for index, pair in enumerate(pairs):
        key, equals, value = pair.partition("=")
        name = unquote(key).lower()
        secret_key = name.startswith(_HEADER_PREFIX) or any(
            part in name for part in _SECRET_KEY_PARTS
        )
        if equals and value and (secret_key or _looks_secret(value)):
            pairs[index] = f"{key}={hide.hide(value)}"
    return "&".join(pairs)


def _redact(url: str) -> _Redaction:
    url = url.strip()
    match = _URL_SHAPE.match(url)
    hide = _Collector()
    if match is None:
        # Not even shaped like a URL: nothing can be safely shown.
        return _Redaction(hide.hide(url) if url else "", frozenset(hide.secrets))
    scheme = match.group("scheme").lower()
    rest, question, query = match.group("rest").partition("?")
    authority, slash, path = rest.partition("/")
    shown_authority, network_host = _redact_authority(scheme, authority, hide)
    redacted = (
        f"{match.group('scheme')}://{shown_authority}"
        f"{slash}{_redact_path(scheme, authority, network_host, path, hide)}"
        f"{question}{_redact_query(query, hide)}"
    )
    return _Redaction(redacted, frozenset(s for s in hide.secrets if s))


def redact_url(url: str) -> str:
    """`url` with its credentials replaced by ***, still recognisable to its owner.

    E.g. `tgram://***/123456`, `mailto://user:***@host`, `slack://T...1/***/***/#alerts`
    (Slack's workspace token as Apprise shows it), `discord://***/***`,
    `https://hooks.slack.com/services/T...1/***/***`, `json://host/path?token=***`.
    """
    return _redact(url).url


def url_secrets(url: str) -> frozenset[str]:
    """The credential pieces of `url` (raw and percent-decoded), for `redact_text`."""
    return _redact(url).secrets


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret and every URL-shaped substring redacted."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, REDACTED)
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group()), text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the secrets of known URLs (and any URL) in records.

    Attach it to a handler, or to the logger that creates the records (filters on a
    logger do not see records propagated from child loggers). Thread-safe: URLs can be
    registered and released while other threads log.
    """

    def __init__(self, urls: Iterable[str] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secret_counts: Counter[str] = Counter()
        for url in urls:
            self.add_secrets(url_secrets(url))

    def add_secrets(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secret_counts.update(set(secrets))

    def remove_secrets(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secret_counts.subtract(set(secrets))
            for secret in [s for s, count in self._secret_counts.items() if count <= 0]:
                del self._secret_counts[secret]

    def add_url(self, url: str) -> None:
        self.add_secrets(url_secrets(url))

    def remove_url(self, url: str) -> None:
        self.remove_secrets(url_secrets(url))

    @contextmanager
    def watching(self, secrets: Iterable[str]) -> Iterator[None]:
        """Redact `secrets` for the duration of a `with` block (e.g. one send)."""
        held = frozenset(secrets)
        self.add_secrets(held)
        try:
            yield
        finally:
            self.remove_secrets(held)

    def known_secrets(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._secret_counts)

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.known_secrets()
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A malformed record is logging's problem to report; leave it untouched.
            return True
        redacted = redact_text(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text, secrets)
        return True
