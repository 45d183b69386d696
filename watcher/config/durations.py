"""Durations as people write them in sources.yaml: `30s`, `10m`, `6h`, `1d`, `1h30m`."""

from __future__ import annotations

import re
from datetime import timedelta

# Units from largest to smallest, each at most once and in this order, so `1h30m` reads as
# written and `30m1h` (almost certainly a typo) is rejected rather than silently summed.
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNIT_SECONDS = (86_400, 3_600, 60, 1)

# Far beyond any useful check interval; keeps timedelta arithmetic away from overflow.
_LONGEST = timedelta(days=3_650)

DURATION_EXAMPLES = "'30s', '10m', '6h', '1d' or '1h30m'"


def parse_duration(text: str) -> timedelta:
    """`1h30m` → timedelta(hours=1, minutes=30). Raises ValueError naming what was expected."""
    compact = text.strip()
    match = _DURATION.match(compact)
    if not compact or match is None:
        raise ValueError(f"expected a duration like {DURATION_EXAMPLES}, got {text!r}")
    seconds = sum(
        int(amount) * unit
        for amount, unit in zip(match.groups(), _UNIT_SECONDS, strict=True)
        if amount is not None
    )
    if seconds > _LONGEST.total_seconds():
        raise ValueError(f"duration {text!r} is longer than {format_duration(_LONGEST)}")
    return timedelta(seconds=seconds)


def format_duration(duration: timedelta) -> str:
    """The inverse of `parse_duration` for whole seconds: timedelta(minutes=90) → `1h30m`."""
    remaining = int(duration.total_seconds())
    if remaining == 0:
        return "0s"
    parts: list[str] = []
    for unit, suffix in zip(_UNIT_SECONDS, "dhms", strict=True):
        amount, remaining = divmod(remaining, unit)
        if amount:
            parts.append(f"{amount}{suffix}")
    return "".join(parts)


def check_range(
    duration: timedelta, *, what: str, least: timedelta, most: timedelta | None = None
) -> timedelta:
    """Raises ValueError when `duration` is outside [least, most], naming the bounds."""
    if duration < least or (most is not None and duration > most):
        bounds = (
            f"between {format_duration(least)} and {format_duration(most)}"
            if most is not None
            else f"at least {format_duration(least)}"
        )
        raise ValueError(f"{what} must be {bounds}, got {format_duration(duration)}")
    return duration
