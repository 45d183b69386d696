"""Digest periods in UTC: an hourly digest covers one clock hour, a daily one a UTC day. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

DigestPeriod = Literal["hourly", "daily"]
_LENGTH = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}


def period_start(moment: datetime, period: DigestPeriod) -> datetime:
    """The start of the period `moment` falls in (UTC)."""
    utc = moment.astimezone(UTC)
    if period == "hourly":
        return utc.replace(minute=0, second=0, microsecond=0)
    return utc.replace(hour=0, minute=0, second=0, microsecond=0)


def period_end(moment: datetime, period: DigestPeriod) -> datetime:
    """When the digest holding a change detected at `moment` is due: its period's end."""
    return period_start(moment, period) + _LENGTH[period]


def period_label(moment: datetime, period: DigestPeriod) -> str:
    """E.g. "daily digest 2026-11-24" or "hourly digest 2026-11-24 08:00–09:00 UTC"."""
    start = period_start(moment, period)
    if period == "daily":
        return f"daily digest {start:%Y-%m-%d}"
    end = start + _LENGTH[period]
    return f"hourly digest {start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
