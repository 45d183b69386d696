"""The one place that composes a check: fetch → health → normalize → diff → classify → store.

`Checker` orchestrates; the steps are `page` (fetch, health, read: shared by watched pages and
objection forms), `decide` (pure: what the fetches say against the stored version), `record`
(one transaction per check) and `analysis` (where the CPU work runs, off the event loop).
"""

from watcher.pipeline.analysis import Analysis
from watcher.pipeline.checker import Checker
from watcher.pipeline.outcome import CheckOutcome, CheckProblem
from watcher.pipeline.report import CheckReport

__all__ = ["Analysis", "CheckOutcome", "CheckProblem", "CheckReport", "Checker"]
