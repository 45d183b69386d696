"""Command-line start-up: wall time of `watcher --help` and `watcher validate`, as a person runs
them (a fresh interpreter each time, the console script of this environment).

Cases: `--help`; `validate` of the shipped sources.yaml (no subscriptions: Apprise is never
loaded); `validate` of a configuration with three subscriptions (five inline Apprise URLs and an
apprise_config file), which loads Apprise and its plugin registry to check them. Prints the
median, fastest and slowest of N runs per case, and what the imports alone cost
(`python -X importtime`).

    .venv/bin/python benchmarks/startup.py            # 15 runs per case
    .venv/bin/python benchmarks/startup.py --runs 40
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "sources.yaml"
TARGET_S = 0.5

SUBSCRIPTIONS = """\
subscriptions:
  - id: newsroom
    urls:
      - "slack://T01WORKSPC/B02SECRETBB/xq7Zp3SecretWebhookTail9K/#privacy"
      - "tgram://123456789:AAHk9vQxT3sEcReTtOkEnZ2m7pL0wQ8rYbC/987654321"
  - id: dpo
    kinds: [opt_out_changed, legal_basis_changed]
    urls:
      - "mailtos://alerts:Sm7pPa55w0rd@mail.example.org?to=dpo@example.org"
      - "json://watcher:S3cret@127.0.0.1:8080/hook"
      - "discord://123456789012345678/DiscordWebhookTokenZz91"
  - id: ngo
    apprise_config: alerts.yml
    tags: [ngo]
"""
APPRISE_FILE = """\
urls:
  - mailtos://mail.example.org:
      user: alerts
      pass: Sm7pPa55w0rd
      to: ngo@example.org
      tag: ngo
  - json://127.0.0.1:9/ngo-hook:
      tag: ngo
"""


def console_script() -> str:
    """The `watcher` installed next to this interpreter (what `make` and users run)."""
    script = Path(sys.executable).with_name("watcher")
    if not script.exists():
        raise SystemExit(f"no {script}: run `make setup` first")
    return str(script)


def wall_times(command: Sequence[str], runs: int, cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def import_seconds(arguments: Sequence[str], cwd: Path) -> float:
    """Cumulative import time of everything the command imported, by `-X importtime`."""
    code = (
        "import sys\nfrom watcher.cli.main import main\n"
        f"sys.argv = ['watcher', *{list(arguments)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    top_level = re.findall(r"import time:\s+\d+ \|\s+(\d+) \| (\S+)$", result.stderr, re.M)
    return sum(int(total) for total, _ in top_level) / 1e6


def with_subscriptions(folder: Path) -> Path:
    config = folder / "sources.yaml"
    config.write_text(SHIPPED.read_text() + SUBSCRIPTIONS)
    (folder / "alerts.yml").write_text(APPRISE_FILE)
    return config


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per case (default 15)")
    args = parser.parse_args(argv)
    script = console_script()
    with tempfile.TemporaryDirectory(prefix="watcher-startup-") as scratch:
        folder = Path(scratch)
        cases = [
            ("watcher --help", ["--help"]),
            ("watcher validate (shipped sources.yaml)", ["validate", "--config", str(SHIPPED)]),
            (
                "watcher validate (3 subscriptions, 7 channels)",
                ["validate", "--config", str(with_subscriptions(folder))],
            ),
        ]
        print(f"\nstart-up: wall time of {args.runs} fresh processes per case\n")
        print(f"| case | median | fastest | slowest | imports | under {TARGET_S} s |")
        print("|---|---|---|---|---|---|")
        for label, arguments in cases:
            times = wall_times([script, *arguments], args.runs, folder)
            median = statistics.median(times)
            imports = import_seconds(arguments, folder)
            print(
                f"| {label} | {median * 1000:.0f} ms | {min(times) * 1000:.0f} ms "
                f"| {max(times) * 1000:.0f} ms | {imports * 1000:.0f} ms "
                f"| {'yes' if median < TARGET_S else 'NO'} |"
            )
    print(
        "\n(imports: the sum of top-level import times reported by `python -X importtime`; "
        "the machine's load shows in the slowest run)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
