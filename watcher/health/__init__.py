"""Health of a fetched page: is it the page, or a wall, a block or a partial render?

Pure: HTML and values in, a `FetchFailure` or None out (`assess_page` gives a `PageHealth`,
which may also carry notes). A page judged unhealthy is recorded as a failed check with a named
kind and is never diffed, so it can never become a "policy change".
"""

from watcher.health.rules import (
    ContentLimits,
    PageHealth,
    assess_content,
    assess_page,
    declared_variants,
    failed_check,
    page_variant,
)
from watcher.health.text import assess_text

__all__ = [
    "ContentLimits",
    "PageHealth",
    "assess_content",
    "assess_page",
    "assess_text",
    "declared_variants",
    "failed_check",
    "page_variant",
]
