"""Changes and their findings: recorded together, listed newest first with keyset pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func, inspect, select, union_all
from sqlalchemy.orm import aliased, defer

from storage.convert import change_record, finding_record, require_aware
from storage.models import Change, Finding, Target
from storage.records import ChangeRecord, FindingRecord, FindingSpec, JsonObject
from storage.repository.base import RepositoryBase, page_size


class ChangeMethods(RepositoryBase):
    def record_change(
        self,
        target_id: str,
        *,
        from_snapshot_id: int,
        to_snapshot_id: int,
        detected_at: datetime,
        summary: str,
        diff: JsonObject,
        findings: Sequence[FindingSpec],
        check_id: int | None = None,
        confirmed: bool = False,
    ) -> ChangeRecord:
        """Store a change and its findings (kept in the given order): one per new version."""
        self._require_writable()
        require_aware(detected_at, "detected_at")
        change = Change(
            target_id=target_id,
            from_snapshot_id=from_snapshot_id,
            to_snapshot_id=to_snapshot_id,
            detected_at=detected_at,
            summary=summary,
            diff=diff,
            confirmed=confirmed,
            check_id=check_id,
        )
        self._session.add(change)
        self._session.flush()
        rows = [
            Finding(
                change_id=change.id,
                kind=f.kind,
                severity=f.severity,
                region=f.region,
                path=f.path,
                evidence_before=f.evidence_before,
                evidence_after=f.evidence_after,
                note=f.note,
                terms=list(f.terms),
            )
            for f in findings
        ]
        self._session.add_all(rows)
        self._session.flush()
        target = self._session.get_one(Target, target_id)
        return change_record(
            change, target.source_id, target.region_id, [finding_record(r) for r in rows]
        )

    def get_change(self, change_id: int) -> ChangeRecord | None:
        found = self._changes(self._change_query().where(Change.id == change_id))
        return found[0] if found else None

    def list_changes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        target_id: str | None = None,
        source_id: str | None = None,
        region_id: str | None = None,
        kinds: Collection[str] = (),
        severities: Collection[str] = (),
        text: str | None = None,
        limit: int = 100,
        before_id: int | None = None,
        with_diff: bool = True,
    ) -> list[ChangeRecord]:
        """Changes newest first, with findings.

        Filters combine with AND. `since` keeps changes detected at or after it, `until` those
        detected before it. `kinds` and `severities` keep changes with one finding of one of
        those kinds and one of those severities (the same finding when both are given).
        `text` keeps changes whose summary, or a finding's path or quoted evidence, contains it
        (case-insensitive). For the next page pass the last returned id as `before_id` (keyset
        pagination: stable while new changes arrive, unlike offsets). `with_diff=False` leaves
        each record's `diff` empty ({}): listings that show no diff skip reading and decoding it.
        """
        statement = self._change_query()
        if not with_diff:
            statement = statement.options(defer(Change.diff))
        if since is not None:
            statement = statement.where(Change.detected_at >= require_aware(since, "since"))
        if until is not None:
            statement = statement.where(Change.detected_at < require_aware(until, "until"))
        if target_id is not None:
            statement = statement.where(Change.target_id == target_id)
        if source_id is not None:
            statement = statement.where(Target.source_id == source_id)
        if region_id is not None:
            statement = statement.where(Target.region_id == region_id)
        if kinds or severities:
            statement = statement.where(_has_finding(kinds, severities))
        if text:
            statement = statement.where(_mentions(text))
        if before_id is not None:
            statement = statement.where(Change.id < before_id)
        return self._changes(statement.order_by(Change.id.desc()).limit(page_size(limit)))

    def latest_change_id(self) -> int | None:
        """The newest change's id (None before the first): also a cheap liveness query."""
        return self._session.execute(select(func.max(Change.id))).scalar_one_or_none()

    def finding_counts_by_kind(self) -> dict[str, int]:
        statement = select(Finding.kind, func.count()).group_by(Finding.kind)
        return {kind: count for kind, count in self._session.execute(statement)}

    @staticmethod
    def _change_query() -> Select[Change, str, str]:
        return select(Change, Target.source_id, Target.region_id).join(
            Target, Target.id == Change.target_id
        )

    def _changes(self, statement: Select[Change, str, str]) -> list[ChangeRecord]:
        rows = self._session.execute(statement).all()
        findings = self._findings_of([change.id for change, _, _ in rows])
        return [
            change_record(
                change,
                source,
                region,
                findings.get(change.id, ()),
                with_diff="diff" not in inspect(change).unloaded,
            )
            for change, source, region in rows
        ]

    def _findings_of(self, change_ids: list[int]) -> dict[int, list[FindingRecord]]:
        grouped: dict[int, list[FindingRecord]] = defaultdict(list)
        if not change_ids:
            return grouped
        statement = select(Finding).where(Finding.change_id.in_(change_ids)).order_by(Finding.id)
        for row in self._session.execute(statement).scalars():
            grouped[row.change_id].append(finding_record(row))
        return grouped


def _has_finding(kinds: Collection[str], severities: Collection[str]) -> ColumnElement[bool]:
    conditions = [Finding.change_id == Change.id]
    if kinds:
        conditions.append(Finding.kind.in_(sorted(kinds)))
    if severities:
        conditions.append(Finding.severity.in_(sorted(severities)))
    return exists().where(*conditions)


def _mentions(text: str) -> ColumnElement[bool]:
    # LIKE with its wildcards escaped: the words are searched as typed. The matching ids come
    # from one arm per searched column, so each arm can use that column's trigram index on
    # PostgreSQL (0007); an OR across columns or across the join scans every finding instead.
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    summarized = aliased(Change)
    arms = [select(summarized.id).where(summarized.summary.ilike(pattern, escape="\\"))]
    arms += [
        select(Finding.change_id).where(column.ilike(pattern, escape="\\"))
        for column in (Finding.evidence_before, Finding.evidence_after, Finding.path)
    ]
    return Change.id.in_(union_all(*arms))
