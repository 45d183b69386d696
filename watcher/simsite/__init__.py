"""A simulated Meta site for `watcher demo`, the tests and the benchmarks.

It imitates what watcher meets on Meta's real privacy pages: JavaScript-rendered content, a
legal variant chosen by the visitor's region (one egress proxy per region), languages chosen by
`?locale=`, a cookie dialog, per-request noise, walls and failures, and a scripted history of
versions replaying the 2024–2026 AI-training changes, with the expected changes as ground truth.

    with SimulatedMetaSite() as site:
        site.url("genai", locale="fr_FR")        # page on the default (us) region
        site.egress_proxy("fr")                  # proxy that makes it look like France
        site.set_version("genai", 4); site.set_mode("genai", "login_wall", region="fr")
"""

from watcher.simsite.catalog import (
    CHANGE_KINDS,
    EPOCHS,
    LATEST_VERSION,
    PAGES,
    Epoch,
    PageSpec,
)
from watcher.simsite.egress_auth import EgressCredentials
from watcher.simsite.expected import ExpectedChange, expected_changes, page_text
from watcher.simsite.modes import Mode
from watcher.simsite.noise import NoiseOptions
from watcher.simsite.render import CONSENT_COOKIE, render_page
from watcher.simsite.server import DEFAULT_REGIONS, SimulatedMetaSite
from watcher.simsite.text import legal_variant, resolve_locale

__all__ = [
    "CHANGE_KINDS",
    "CONSENT_COOKIE",
    "DEFAULT_REGIONS",
    "EPOCHS",
    "LATEST_VERSION",
    "PAGES",
    "EgressCredentials",
    "Epoch",
    "ExpectedChange",
    "Mode",
    "NoiseOptions",
    "PageSpec",
    "SimulatedMetaSite",
    "expected_changes",
    "legal_variant",
    "page_text",
    "render_page",
    "resolve_locale",
]
