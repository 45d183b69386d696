"""`python -m watcher.simsite --port 8800`: run the simulated Meta site until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from watcher.simsite.catalog import EPOCHS, LATEST_VERSION, PAGES
from watcher.simsite.noise import NoiseOptions
from watcher.simsite.server import DEFAULT_REGIONS, SimulatedMetaSite


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m watcher.simsite",
        description="Run the simulated Meta site (loopback only by default).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800, help="main listener (default region)")
    parser.add_argument(
        "--egress-port-start",
        type=int,
        default=None,
        help="first egress proxy port, one per region (default: the port after --port)",
    )
    parser.add_argument("--regions", default=",".join(DEFAULT_REGIONS))
    parser.add_argument("--default-region", default="us")
    parser.add_argument("--render-delay-ms", type=int, default=150)
    parser.add_argument(
        "--version",
        type=int,
        default=0,
        dest="initial_version",
        help=f"version every page starts at (0-{LATEST_VERSION})",
    )
    parser.add_argument("--seed", default=None, help="seed of the per-request noise")
    parser.add_argument("--no-noise", action="store_true", help="serve pages without noise")
    parser.add_argument("--log", action="store_true", help="log every request to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Installed before anything is printed: whoever reads the start-up lines may stop the site
    # at once.
    finished = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: finished.set())
    egress_start = args.egress_port_start
    if egress_start is None and args.port:
        egress_start = args.port + 1
    try:
        site = SimulatedMetaSite(
            host=args.host,
            port=args.port,
            regions=[region.strip() for region in args.regions.split(",") if region.strip()],
            default_region=args.default_region,
            render_delay_ms=args.render_delay_ms,
            seed=args.seed,
            noise=NoiseOptions.none() if args.no_noise else NoiseOptions(),
            initial_version=args.initial_version,
            egress_port_start=egress_start,
            log_requests=args.log,
        ).start()
    except (OSError, ValueError) as error:
        print(f"simsite: cannot start: {error}", file=sys.stderr)
        return 2
    print(f"Simulated Meta site on {site.base_url} (region {site.default_region})")
    print("Egress proxies (set as the browser's proxy to look like that region):")
    for region, proxy in site.egress_proxies().items():
        print(f"  {region:4} {proxy}")
    print("Pages:")
    for spec in PAGES.values():
        print(f"  {spec.page_id:22} {site.base_url}{spec.path}")
    print("Versions:")
    for epoch in EPOCHS:
        print(f"  {epoch.version} {epoch.date.isoformat()} {epoch.label}")
    print(
        f"Control: POST {site.base_url}/__sim__/advance | version?page=&v= | mode?page=&mode= | "
        f"reset; GET {site.base_url}/__sim__/state"
    )
    sys.stdout.flush()
    try:
        finished.wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
