"""A seeded history for the web tests: `benchmarks.web_history` plus failures, flaps,
volatile spans and a failing alert channel, so that every page has something to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from benchmarks.web_history import REGIONS, START, Seeded, seed_history
from storage import AttemptSpec, CheckSpec, Database, DeliverySpec, VolatileSpanSpec
from watcher.web import TargetSettings, WebContext

BASE_URL = "http://127.0.0.1:8080"
SEEDED_CHANGES = 40
FAILING_TARGET = "policy@de"
UNSTABLE_TARGET = "genai@us"
FAILING_CHANNEL_LABEL = "tgram://***/1234567"


@dataclass(frozen=True)
class History:
    seeded: Seeded

    @property
    def newest_change(self) -> int:
        return self.seeded.change_ids[-1]


def seed(database: Database, changes: int) -> History:
    seeded = seed_history(database, changes)
    later = START + timedelta(hours=changes + 10)
    with database.transaction() as repo:
        repo.record_check(
            CheckSpec(
                target_id=FAILING_TARGET,
                started_at=later,
                finished_at=later + timedelta(seconds=3),
                outcome="failed",
                failure_kind="rate_limited",
                failure_detail="You're temporarily blocked",
                timings={"total_ms": 3000.0},
            )
        )
        for n in range(3):
            moment = later + timedelta(minutes=n)
            repo.record_check(
                CheckSpec(
                    target_id=UNSTABLE_TARGET,
                    started_at=moment,
                    finished_at=moment,
                    outcome="flap",
                    timings={"total_ms": 900.0},
                )
            )
        repo.learn_volatile_spans(
            UNSTABLE_TARGET, [VolatileSpanSpec(pattern="Tip of the day: rotating words")], later
        )
        repo.enqueue_deliveries(
            seeded.change_ids[0],
            [
                DeliverySpec(
                    subscription_id="newsroom",
                    channel_key="k" * 64,
                    channel_label=FAILING_CHANNEL_LABEL,
                )
            ],
            later,
        )
    with database.transaction() as repo:
        claimed = repo.claim_due_deliveries("worker-1", later, timedelta(minutes=5), 10)
        repo.record_delivery_attempt(
            [d.id for d in claimed],
            AttemptSpec(attempted_at=later, ok=False, permanent=True, error="401 Unauthorized"),
            worker_id="worker-1",
            retry_at=None,
        )
    return History(seeded)


def context_for(database: Database, target_ids: list[str], **overrides: object) -> WebContext:
    targets = {
        tid: TargetSettings(interval=timedelta(hours=6), locale=REGIONS[tid.split("@")[1]])
        for tid in target_ids
    }
    fields: dict[str, object] = {
        "database": database,
        "base_url": BASE_URL,
        "write_token": None,
        "targets": targets,
    }
    fields.update(overrides)
    return WebContext(**fields)  # type: ignore[arg-type]
