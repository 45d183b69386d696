"""Alert values: severity order, the headline finding, digest grouping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from notifiers_testkit import make_alert

from notifiers import AlertFinding, Digest, Severity, alert_title, most_severe_finding


def finding(kind: str, severity: str) -> AlertFinding:
    return AlertFinding(kind, Severity(severity), "path", "before", "after")


def test_severity_orders_high_over_medium_over_low() -> None:
    assert sorted(Severity, key=lambda s: s.rank) == [Severity.LOW, Severity.MEDIUM, Severity.HIGH]


def test_most_severe_finding_wins_and_ties_keep_classifier_order() -> None:
    findings = [
        finding("effective_date", "low"),
        finding("legal_basis_changed", "medium"),
        finding("opt_out_changed", "high"),
        finding("region_restriction", "high"),
    ]
    worst = most_severe_finding(findings)
    assert worst is not None and worst.kind == "opt_out_changed"
    assert most_severe_finding([]) is None


def test_severity_given_as_text_becomes_the_enum() -> None:
    made = AlertFinding("effective_date", "medium", "p", "", "")  # type: ignore[arg-type]
    assert made.severity is Severity.MEDIUM
    with pytest.raises(ValueError):
        AlertFinding("effective_date", "urgent", "p", "", "")  # type: ignore[arg-type]


def test_alert_without_findings_reads_as_a_low_change() -> None:
    alert = make_alert(findings=())
    assert alert.severity is Severity.LOW
    assert alert.headline_kind == "changed"
    assert alert_title(alert).startswith("[low] changed — ")


def test_naive_detection_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_alert(detected_at=datetime(2026, 11, 24, 8, 30))


def test_digest_groups_by_source_and_region_worst_first_in_time_order() -> None:
    start = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    date_only = (finding("effective_date", "low"),)
    opt_out = (finding("opt_out_changed", "high"),)
    alerts = (
        make_alert(change_id=1, region_id="fr", findings=date_only, detected_at=start),
        make_alert(
            change_id=2,
            source_id="whatsapp-policy",
            source_title="WhatsApp Privacy Policy",
            region_id="de",
            findings=date_only,
            detected_at=start,
        ),
        make_alert(change_id=3, region_id="de", findings=opt_out, detected_at=start),
        make_alert(change_id=4, region_id="fr", findings=opt_out, detected_at=start - timedelta(1)),
    )

    groups = Digest("daily", alerts).groups()

    assert [(g.source_id, g.region_id) for g in groups] == [
        ("facebook-genai", "de"),
        ("facebook-genai", "fr"),
        ("whatsapp-policy", "de"),
    ]
    assert [a.change_id for a in groups[1].alerts] == [4, 1]
    assert groups[1].severity is Severity.HIGH
    assert Digest("daily", alerts).severity is Severity.HIGH
    assert Digest("empty", ()).severity is Severity.LOW
