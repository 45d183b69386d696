"""The one task: check a target for a slot. Acknowledged after it ran (`task_acks_late`), and
idempotent: the lease keeps a second delivery off a target being checked, and a slot already
recorded is skipped, so a task delivered twice is stored once."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery.exceptions import Reject

from storage import StorageError
from watcher.distributed.app import CHECK_TASK
from watcher.distributed.guard import RegionGuard
from watcher.distributed.runtime import UnknownTargetError, WorkerRuntime

log = logging.getLogger("watcher.worker")

# A database away: try the task again this much later, a few times, then leave the slot to the
# dispatcher's requeue.
DATABASE_RETRY_SECONDS = 30
DATABASE_RETRIES = 10


def register_check_task(app: Any, runtime: WorkerRuntime, guard: RegionGuard) -> Any:
    @app.task(name=CHECK_TASK, bind=True, acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
    def check(task: Any, target_id: str, due: str) -> str:
        target = runtime.targets.get(target_id)
        if target is not None and guard.refuses(target.region_id):
            # Taken just before the region was refused: back to the queue for another worker.
            raise Reject(f"region {target.region_id} refused by this worker", requeue=True)
        try:
            return runtime.check(target_id, datetime.fromisoformat(due))
        except UnknownTargetError:
            log.error("worker: task for unknown target %s (configurations differ?)", target_id)
            return "unknown_target"
        except StorageError as error:
            log.error(
                "check target=%s outcome=failed failure_kind=database_error %s", target_id, error
            )
            raise task.retry(
                countdown=DATABASE_RETRY_SECONDS, max_retries=DATABASE_RETRIES
            ) from error

    return check
