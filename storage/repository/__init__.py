"""Intention-revealing reads and writes over one session; values in and out are `storage.records`.

A `Repository` comes from `Database.transaction()` (writes, committed together) or
`Database.reader()` (reads only; a write method raises `PermissionError`).

Targets
    upsert_targets(specs, now)              insert new targets, update changed ones, reactivate
    deactivate_targets_except(ids, now)     targets no longer configured → inactive; returns count
    list_targets(active_only=True)          with the latest check's finish time and outcome
    get_target(target_id), source_and_region_ids(), regions_of_source(source_id)
Snapshots (content-addressed: one `snapshot_contents` row per distinct canonical text, by sha256)
    latest_snapshot(target_id)              the newest version, with its canonical text
    latest_snapshot_id(target_id)           its id only
    save_snapshot(...)                      new version, or the latest unchanged (is_new=False)
    append_version(target_id, after=ID, ...)  the version after ID, or VersionConflictError
    get_snapshot(id), next_snapshot_id(id), snapshot_history(target_id, limit, before_id)
    snapshot_raw_html(id)
    count_snapshots(target_id=None), count_snapshot_contents()
Evidence (file hashes of a version and the target's hash chain; files in a `BlobStore`)
    record_evidence(snapshot_id, spec, recorded_at)   in the version's transaction
    evidence_record(snapshot_id), evidence_records(target_id, after_snapshot_id, since, limit)
    snapshot_screenshot(id, blobs), snapshot_page_html(id, blobs)   the kept files' bytes
    unrecorded_versions(target_id=None)     versions after a chain began that have no record
Checks
    record_check(spec)                      every attempt; links a change back to its check
    recent_checks(target_id, limit), check_counts_by_outcome(target_id=None)
    get_check(id), list_checks(target_id, before_id, limit)   newest first, keyset pages
    failure_counts_by_kind(), recent_check_timings(limit)
Changes
    record_change(...)                      a change and its findings
    get_change(id), list_changes(...)       newest first, findings included, keyset pagination;
                                            filters: time range, target, source, region, finding
                                            kinds and severities, text
    latest_change_id(), finding_counts_by_kind()
Leases (one process checks a target at a time)
    acquire_lease(target_id, holder, now, until)  None when taken, else the other holder's lease
    release_lease(target_id, holder), release_leases_of(holders), get_lease(id), lease_holders()
Schedule (shared by every process; advanced in the transaction that records a check)
    ensure_scheduled(first_due, now), schedule_of(target_id), schedules(target_ids)
    set_schedule(target_id, next_due_at, failures, last_failure_kind, now)
    due_schedules(now, requeue_before, limit), mark_queued(target_id, slot, now, requeue_before)
    checks_between(start, end); slot_checked(target_id, slot) with the checks
Workers (distributed mode)
    report_worker(worker_id, regions, refused, checks_done, now, stopped), worker_statuses(...)
Volatile spans (what differs between two loads of one page, masked in later comparisons)
    learn_volatile_spans(target_id, specs, now), volatile_spans(target_id, masked_only)
    set_volatile_span_state(id, state), forget_learned_spans(target_id)
Outbox (alert deliveries; see `storage.repository.outbox` for claims and leases)
    enqueue_deliveries(change_id, specs, now)           in the change's transaction
    claim_due_deliveries(worker, now, lease, limit)     immediate rows, leased
    claim_due_digests(worker, now, lease, limit)        whole digest groups, leased
    record_delivery_attempt(ids, attempt, worker_id, retry_at)
    release_claims(workers, delivery_ids=None), retry_failed_deliveries(now, ...)
    sending_workers(), next_delivery_due()
    get_delivery(id), pending_deliveries(limit), list_deliveries(failed_only, ...)
    delivery_attempts(delivery_id), count_deliveries_by_status()
    list_channels(failing_only), get_channel(key)

"Newest" means most recently recorded (highest id), which is also how pages are keyed.
"""

from __future__ import annotations

from storage.repository.base import MAX_PAGE
from storage.repository.changes import ChangeMethods
from storage.repository.checks import CheckMethods
from storage.repository.evidence import EvidenceMethods
from storage.repository.leases import LeaseMethods
from storage.repository.outbox import OutboxMethods
from storage.repository.schedule import ScheduleMethods
from storage.repository.snapshots import SnapshotMethods, content_sha256
from storage.repository.targets import TargetMethods
from storage.repository.volatile import VolatileMethods
from storage.repository.workers import WorkerStatusMethods

__all__ = ["MAX_PAGE", "Repository", "content_sha256"]


class Repository(
    TargetMethods,
    SnapshotMethods,
    EvidenceMethods,
    CheckMethods,
    ChangeMethods,
    OutboxMethods,
    LeaseMethods,
    VolatileMethods,
    ScheduleMethods,
    WorkerStatusMethods,
):
    """All repository methods over one session (see the module docstring for the list)."""
