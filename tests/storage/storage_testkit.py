"""Helpers shared by the storage tests (pytest puts this folder on the import path)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import TargetSpec

T0 = datetime(2026, 5, 27, 9, 30, tzinfo=UTC)


def target(source: str = "privacy-policy", region: str = "de", **fields: str) -> TargetSpec:
    return TargetSpec(
        id=f"{source}@{region}",
        source_id=source,
        region_id=region,
        url=fields.get("url", f"https://www.facebook.com/privacy/policy/?region={region}"),
        title=fields.get("title", "Privacy Policy"),
    )
