"""`Finding`: one classified fact about a change, with the quoted evidence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# The one definition of how serious a finding is: the alerts are told in its terms.
from notifiers.alert import Severity

__all__ = ["PAGE_KINDS", "TEXT_KINDS", "Finding", "FindingKind", "Severity"]


class FindingKind(StrEnum):
    NEW_DATA_CATEGORY = "new_data_category"
    DATA_USE_EXPANDED = "data_use_expanded"
    OPT_OUT_CHANGED = "opt_out_changed"
    REGION_RESTRICTION = "region_restriction"
    EFFECTIVE_DATE_CHANGED = "effective_date_changed"
    LEGAL_BASIS_CHANGED = "legal_basis_changed"
    PAGE_REMOVED = "page_removed"
    PAGE_PUBLISHED = "page_published"
    COSMETIC = "cosmetic"


# Told by the check path (the page stopped or started to exist), never by the classifier of a
# change between two texts.
PAGE_KINDS = frozenset({FindingKind.PAGE_REMOVED, FindingKind.PAGE_PUBLISHED})
# What the classifier says of a change between two texts.
TEXT_KINDS = tuple(kind for kind in FindingKind if kind not in PAGE_KINDS)


@dataclass(frozen=True, slots=True)
class Finding:
    """What kind of change, how serious, where, and the sentences before and after.

    `path` is the heading trail (`Privacy Policy › How do we use your information?`), `note`
    one plain sentence saying what was found, `terms` the lexicon words that matched.
    """

    kind: FindingKind
    severity: Severity
    evidence_before: str
    evidence_after: str
    path: str
    region: str
    note: str = ""
    terms: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "severity": self.severity.value,
            "evidence_before": self.evidence_before,
            "evidence_after": self.evidence_after,
            "path": self.path,
            "region": self.region,
            "note": self.note,
            "terms": list(self.terms),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            kind=FindingKind(data["kind"]),
            severity=Severity(data["severity"]),
            evidence_before=data["evidence_before"],
            evidence_after=data["evidence_after"],
            path=data["path"],
            region=data["region"],
            note=data.get("note", ""),
            terms=tuple(data.get("terms", ())),
        )
