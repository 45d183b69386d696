"""Per-request noise of the simulated site: everything Meta's pages change on every load.

None of it is a policy change; each generator can be switched off on its own so a test can tell
which kind of noise a normalizer fails on. Every random choice comes from the `rng` passed in, so
a fixed seed reproduces a page byte for byte, and with every generator off the `rng` is not used.
"""

from __future__ import annotations

import dataclasses
import random
import string
from dataclasses import dataclass
from urllib.parse import quote

_ALNUM = string.ascii_lowercase + string.digits
_TOKEN = string.ascii_letters + string.digits + "-_"


@dataclass(frozen=True)
class NoiseOptions:
    """Which kinds of per-request noise a rendering carries (all on by default)."""

    nonces: bool = True  # script/style nonces (and the CSP header that names them)
    form_tokens: bool = True  # hidden lsd, jazoest, fb_dtsg inputs
    spin_timestamp: bool = True  # __spin_t and friends in an inline script
    request_ids: bool = True  # hsi request ids
    asset_hashes: bool = True  # /rsrc.php/v3/yX/r/<hash>.js
    class_names: bool = True  # generated atomic class names on every element
    tracking_params: bool = True  # __cft__[0], __tn__, fbclid, locale2, entry_point, back_id
    outbound_wrapping: bool = True  # /l.php?u=<target>&h=<random>
    # Outbound links as the printable policy writes them, /privacy/policy/printable/<encoded
    # lm.facebook.com/l.php?u=<target>>, with per-load decoration at any level.
    printable_links: bool = True
    cdn_signatures: bool = True  # _nc_gid, _nc_ohc, oh, oe on image URLs
    relative_time: bool = True  # "Updated 3 hours ago"
    related_articles: bool = True  # a block that comes and goes on help pages
    whitespace: bool = True  # whitespace-only differences in text and markup
    annotation_links: bool = True  # "#annotation-10" or the full URL with entry_point
    english_flip: bool = True  # en-US ↔ en-GB spelling and dates

    @classmethod
    def none(cls) -> NoiseOptions:
        """No noise at all: the rendering depends only on page, version, region and locale."""
        return cls(**{name: False for name in cls.names()})

    @classmethod
    def only(cls, *names: str) -> NoiseOptions:
        """Just the named generators, e.g. `NoiseOptions.only("nonces", "class_names")`."""
        unknown = set(names) - set(cls.names())
        if unknown:
            raise ValueError(f"unknown noise {sorted(unknown)} (known: {', '.join(cls.names())})")
        return cls(**{name: name in names for name in cls.names()})

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in dataclasses.fields(cls))


class NoiseMaker:
    """Draws the noise for one rendering; stable stand-ins when a generator is off."""

    def __init__(self, rng: random.Random, options: NoiseOptions) -> None:
        self.rng = rng
        self.options = options

    def _token(self, length: int, alphabet: str = _TOKEN) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def nonce(self) -> str:
        if not self.options.nonces:
            return "sImNoNcE"
        return self._token(8, string.ascii_letters + string.digits)

    def class_names(self, kind: str) -> str:
        if not self.options.class_names:
            return f"sim-{kind}"
        count = self.rng.randint(1, 4)
        return " ".join("x" + self._token(self.rng.randint(5, 7), _ALNUM) for _ in range(count))

    def asset_url(self, extension: str, slot: int) -> str:
        if not self.options.asset_hashes:
            return f"/rsrc.php/v3/y{slot}/r/static{slot}.{extension}"
        bucket = self.rng.choice(string.ascii_letters)
        return f"/rsrc.php/v3/y{bucket}/r/{self._token(11)}.{extension}"

    def form_tokens(self) -> dict[str, str]:
        if not self.options.form_tokens:
            return {"lsd": "AVstatic", "jazoest": "2000", "fb_dtsg": "NAstatic:0:0"}
        return {
            "lsd": "AV" + self._token(9),
            "jazoest": str(self.rng.randint(21000, 29999)),
            "fb_dtsg": f"NA{self._token(22)}:{self.rng.randint(10, 99)}:"
            f"{self.rng.randint(1, 10**9)}",
        }

    def spin(self, epoch_seconds: int) -> dict[str, object]:
        if not self.options.spin_timestamp:
            return {"__spin_r": 1000000, "__spin_b": "trunk", "__spin_t": epoch_seconds}
        return {
            "__spin_r": self.rng.randint(1_010_000_000, 1_019_999_999),
            "__spin_b": "trunk",
            "__spin_t": epoch_seconds + self.rng.randint(0, 86_400 * 30),
        }

    def request_id(self) -> str:
        if not self.options.request_ids:
            return "7000000000000000000"
        return str(self.rng.randint(7_000_000_000_000_000_000, 7_499_999_999_999_999_999))

    def internal_href(self, href: str, locale: str) -> str:
        """An internal link with the tracking parameters Meta appends on each load."""
        if not self.options.tracking_params:
            return href
        path, hash_mark, fragment = href.partition("#")
        candidates = [
            f"__cft__[0]=AZ{self._token(24)}",
            "__tn__=" + self.rng.choice(("-UK-R", "-R", "%2CO%2CP-R", "*F")),
            "fbclid=IwAR" + self._token(20),
            f"locale2={locale}",
            "entry_point=" + self.rng.choice(("privacy_center", "www_help", "notif", "bookmark")),
            f"back_id={self.rng.randint(1, 40)}",
        ]
        chosen = self.rng.sample(candidates, self.rng.randint(1, 3))
        separator = "&" if "?" in path else "?"
        return f"{path}{separator}{'&'.join(chosen)}{hash_mark}{fragment}"

    def outbound_href(self, url: str) -> str:
        if self.options.printable_links and self.rng.random() < 0.5:
            return self.printable_href(url)
        if not self.options.outbound_wrapping:
            return url
        return f"/l.php?u={quote(url, safe='')}&h=AT{self._token(30)}"

    def printable_href(self, url: str) -> str:
        """`url` behind the click wrapper, percent-encoded into the printable policy's path:
        the target written encoded or as is in `u=`, the whole encoded once or twice, and
        tracking decoration added (or not) to the target before encoding, to the wrapper after
        it and to the printable link outside, each time in another order."""
        target = self._decorated(url) if self.rng.random() < 0.5 else url
        written_as_is = "#" not in target and self.rng.random() < 0.5
        wrapper = "https://lm.facebook.com/l.php?u="
        wrapper += target if written_as_is else quote(target, safe="")
        if self.rng.random() < 0.5:
            wrapper += f"&h=AT{self._token(30)}"
        if self.rng.random() < 0.5:
            wrapper = self._decorated(wrapper)
        # Once (keeping `u=`'s equals sign, as archived printable policies show) or twice.
        rounds, safe = self.rng.choice(((1, ""), (1, "="), (2, "")))
        for _ in range(rounds):
            wrapper = quote(wrapper, safe=safe)
        href = f"/privacy/policy/printable/{wrapper}"
        return self._decorated(href) if self.rng.random() < 0.5 else href

    def _decorated(self, url: str) -> str:
        """`url` with one to three of Meta's per-load link parameters, in a random order."""
        candidates = [
            self.rng.choice(("__cft__[0]", "__cft__%5B0%5D")) + f"=AZ{self._token(24)}",
            "__tn__=" + self.rng.choice(("-UK-R", "-R", "%2CO%2CP-R", "*F")),
            self.rng.choice(("__xts__[0]", "__xts__%5B0%5D")) + f"=68.AR{self._token(12)}",
            "fbclid=IwAR" + self._token(20),
            "eid=AR" + self._token(16),
        ]
        chosen = self.rng.sample(candidates, self.rng.randint(1, 3))
        address, hash_mark, fragment = url.partition("#")
        separator = "&" if "?" in address else "?"
        return f"{address}{separator}{'&'.join(chosen)}{hash_mark}{fragment}"

    def annotation_href(self, anchor: str, base_url: str, page_path: str) -> str:
        """`#annotation-10`, or the same target as a full URL with an entry point."""
        if not self.options.annotation_links or self.rng.random() < 0.5:
            return anchor
        entry = self.rng.choice(("privacy_policy_link", "annotation", "privacy_center"))
        return f"{base_url}{page_path}?entry_point={entry}{anchor}"

    def image_url(self, image_id: str) -> str:
        base = f"/cdn/v/t39.30808-6/{image_id}_n.jpg"
        if not self.options.cdn_signatures:
            return base
        params = [
            f"_nc_cat={self.rng.randint(100, 111)}",
            "ccb=1-7",
            f"_nc_sid={self._token(6, '0123456789abcdef')}",
            f"_nc_ohc={self._token(24)}",
            f"_nc_gid={self._token(22)}",
            "_nc_ht=scontent.sim",
            f"oh=00_{self._token(40)}",
            f"oe={self.rng.randint(0x67000000, 0x6FFFFFFF):X}",
        ]
        return f"{base}?{'&'.join(params)}"

    def relative_age(self) -> tuple[str, int] | None:
        """("hours"|"minutes"|"days", n) for the "Updated ... ago" line, or None when off."""
        if not self.options.relative_time:
            return None
        unit = self.rng.choice(("minutes", "hours", "hours", "days"))
        upper = {"minutes": 59, "hours": 23, "days": 6}[unit]
        return unit, self.rng.randint(2, upper)

    def show_related_articles(self) -> bool:
        return self.options.related_articles and self.rng.random() < 0.5

    def english_flip(self, requested_gb: bool) -> bool:
        """Whether English is rendered with British spelling on this load."""
        if not self.options.english_flip:
            return requested_gb
        return self.rng.random() < 0.5

    def text(self, text: str) -> str:
        """The same text with whitespace-only changes now and then."""
        if not self.options.whitespace or self.rng.random() < 0.7 or " " not in text:
            return text
        choice = self.rng.randrange(4)
        if choice == 0:
            return text + " "
        if choice == 1:
            return "\n   " + text
        words = text.split(" ")
        position = self.rng.randrange(1, len(words)) if len(words) > 1 else 0
        joiner = "  " if choice == 2 else " \n "
        return " ".join(words[:position]) + joiner + " ".join(words[position:])

    def indent(self) -> str:
        """Whitespace between markup elements, varying per load."""
        if not self.options.whitespace:
            return "\n"
        return "\n" + " " * self.rng.randint(0, 6)
