"""What starting the command line loads: nothing heavy until a command needs it.

Speed itself is measured by `benchmarks/startup.py`; these tests keep its cause in place: the
modules that cost tenths of a second (Alembic and SQLAlchemy, Apprise and its plugins,
Playwright, jinja2, rich, BeautifulSoup, pydantic) are imported by the commands that use them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHIPPED = PROJECT_ROOT / "sources.yaml"

HEAVY = ("alembic", "sqlalchemy", "apprise", "playwright", "jinja2", "rich", "bs4", "pydantic")


def imported_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running `code`."""
    probe = (
        f"import json, sys\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=PROJECT_ROOT,
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_the_command_line_imports_no_heavy_library_at_start() -> None:
    assert imported_after("import watcher.cli.main; watcher.cli.main.build_parser()") == []


def test_configuration_is_values_only() -> None:
    """Reading sources.yaml needs pydantic and YAML, never Apprise, the database or a browser."""
    code = f"from watcher.config import load_config\nload_config({str(SHIPPED)!r})"
    assert imported_after(code) == ["pydantic"]


def test_validate_without_subscriptions_never_loads_apprise() -> None:
    code = (
        "from pathlib import Path\n"
        "from watcher.cli.startup import load_setup\n"
        f"load_setup(Path({str(SHIPPED)!r}))"
    )
    assert imported_after(code) == ["pydantic"]


def test_checking_subscriptions_loads_apprise_but_no_template_engine_or_database() -> None:
    code = (
        "from watcher.config import parse_config\n"
        "from watcher.alerts import resolve_subscriptions\n"
        f"text = open({str(SHIPPED)!r}).read()\n"
        "text += 'subscriptions:\\n  - id: a\\n    urls: json://127.0.0.1:9/x\\n'\n"
        "resolve_subscriptions(parse_config(text))"
    )
    assert imported_after(code) == ["apprise", "pydantic"]
