"""Alert delivery throughput: N queued alerts sent to a loopback json:// endpoint.

Each alert is a stored change with real diff JSON and two findings; the dispatcher claims them
in batches, renders each one, sends it through Apprise's real JSON plugin and commits every
attempt, exactly as in production. Prints deliveries per second, send latency and the peak
memory of this process while dispatching.

    .venv/bin/python benchmarks/delivery.py                       # 1,000 alerts, SQLite
    .venv/bin/python benchmarks/delivery.py --db postgresql+psycopg://user@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from memory import tree_memory_kib

from storage import Database, TargetSpec
from watcher.alerts import (
    Dispatcher,
    DispatchSettings,
    resolve_subscriptions,
)
from watcher.classify import Finding, FindingKind, Severity
from watcher.config import parse_config
from watcher.diff import diff_documents
from watcher.normalize import normalize_html
from watcher.pipeline.record import NewVersion, store_change

CONFIG = """\
regions:
  fr: {locale: fr-FR, timezone: Europe/Paris, accept_language: "fr-FR,fr;q=0.9"}
sources:
  - id: fb-genai
    title: Generative AI at Meta
    url: "https://www.facebook.com/privacy/genai/"
    regions: [fr]
subscriptions:
  - id: bench
    urls: "json://127.0.0.1:PORT/hook"
"""
BEFORE = """<main><h1>Generative AI at Meta</h1><h2>Your rights</h2>
<p>If you live in the European Region, you have the right to object to the use of your public
posts for training our AI models.</p><p>We rely on legitimate interests.</p></main>"""
AFTER = """<main><h1>Generative AI at Meta</h1><h2>Your rights</h2>
<p>We rely on legitimate interests, including for your interactions with our AI features.</p>
</main>"""


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with _Quiet.lock:
            _Quiet.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class RssPeak:
    """Samples this process's RSS every few milliseconds while a block runs."""

    def __init__(self) -> None:
        self.baseline_kib = tree_memory_kib([os.getpid()])[0]
        self.peak_kib = self.baseline_kib
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def _sample(self) -> None:
        self.peak_kib = max(self.peak_kib, tree_memory_kib([os.getpid()])[0])


def seed(database: Database, port: int, count: int) -> Dispatcher:
    config = parse_config(CONFIG.replace("PORT", str(port)))
    subscriptions = resolve_subscriptions(config)
    (target,) = config.targets()
    now = datetime.now(UTC)
    base = "https://www.facebook.com/privacy/genai/"
    before, after = normalize_html(BEFORE, base_url=base), normalize_html(AFTER, base_url=base)
    change = diff_documents(before, after)
    findings = [
        Finding(FindingKind.OPT_OUT_CHANGED, Severity.HIGH, "object", "", "Your rights", "fr"),
        Finding(FindingKind.NEW_DATA_CATEGORY, Severity.MEDIUM, "", "AI", "Your rights", "fr"),
    ]
    with database.transaction() as repo:
        spec = TargetSpec(target.id, target.source_id, target.region_id, target.url, target.title)
        repo.upsert_targets([spec], now)
        for n in range(count):
            previous = repo.save_snapshot(
                target.id,
                canonical_text=f"{before.canonical_text()}\n{n}",
                raw_html=None,
                taken_at=now,
                final_url=None,
                http_status=200,
            )
            store_change(
                repo,
                target_id=target.id,
                source_id=target.source_id,
                region_id=target.region_id,
                after=previous.id,
                version=NewVersion(f"{after.canonical_text()}\n{n}", http_status=200),
                change=change,
                findings=findings,
                subscriptions=subscriptions,
                detected_at=now,
            )
    settings = DispatchSettings(batch_size=20, send_timeout_s=5)
    return Dispatcher(database, subscriptions, settings=settings)


def measure(database_url: str, count: int) -> dict[str, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    _Quiet.received = 0
    database = Database(database_url)
    try:
        database.upgrade()
        dispatcher = seed(database, server.server_address[1], count)
        with RssPeak() as memory:
            started = time.perf_counter()
            stats = dispatcher.run_once()
            elapsed = time.perf_counter() - started
        with database.reader() as repo:
            durations = [
                attempt.duration_ms
                for delivery in repo.list_deliveries(limit=min(count, 1000))
                for attempt in repo.delivery_attempts(delivery.id)
            ]
    finally:
        database.dispose()
        server.shutdown()
        server.server_close()
    if stats.delivered != count or _Quiet.received != count:
        raise SystemExit(f"expected {count} deliveries, got {stats} / {_Quiet.received} received")
    cuts = statistics.quantiles(durations, n=20)
    return {
        "database": database.dialect,
        "alerts": f"{count:,}",
        "seconds": f"{elapsed:.2f}",
        "deliveries/s": f"{count / elapsed:.0f}",
        "send p50 ms": f"{statistics.median(durations):.1f}",
        "send p95 ms": f"{cuts[18]:.1f}",
        "peak RSS MiB": f"{memory.peak_kib / 1024:.0f}",
        "RSS growth MiB": f"{(memory.peak_kib - memory.baseline_kib) / 1024:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="alerts to queue (default 1000)")
    parser.add_argument("--db", action="append", default=[], help="database URL (repeatable)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        urls = args.db or [f"sqlite:///{Path(folder) / 'bench.db'}"]
        for url in urls:
            print(f"  dispatching {args.count} alerts ({url.split(':', 1)[0]}) …", file=sys.stderr)
            rows.append(measure(url, args.count))
    header = list(rows[0])
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in header}
    print("| " + " | ".join(key.ljust(widths[key]) for key in header) + " |")
    print("|" + "|".join("-" * (widths[key] + 2) for key in header) + "|")
    for row in rows:
        print("| " + " | ".join(row[key].rjust(widths[key]) for key in header) + " |")


if __name__ == "__main__":
    main()
