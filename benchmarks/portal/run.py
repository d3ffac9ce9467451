"""Load test: the portal under 20 concurrent clients, p50 / p95 latency and throughput.

    .venv/bin/python benchmarks/portal/run.py [--home DIR] [--clients 20] [--duration 20]

Serves a data folder with ``icsys serve`` in one process (a demo world: ``--home`` names one
already built by ``icsys demo --no-serve``, otherwise one is built in a temporary folder) and
drives it from a second process on loopback: for each page type (England, a system, an
indicator) ``--clients`` clients each send requests one after another, without pause, for
``--duration`` seconds after ``--warmup`` seconds of warm-up. Every response must be 200 with
the page's own heading; a failure is reported, not timed. Prints a JSON document of figures and,
with ``--markdown``, a table for docs/benchmarks.md. ``--page-cache 0`` makes every page afresh
(as for a signed-in user), measuring the services rather than the public cache. Bounded in
time: the whole run is at most page types x (warm-up + duration) plus start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx2

ICSYS = [sys.executable, "-m", "icsys"]
START_TIMEOUT = 120.0
INDICATOR = "emergency_admissions_dsr"  # a headline indicator with a full page (SPC, funnel)


@dataclass(frozen=True)
class Figures:
    page: str
    path: str
    clients: int
    seconds: float
    requests: int
    failures: int
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def _build_demo(home: Path, persons: int) -> None:
    env = {**os.environ, "ICSYS_HOME": str(home)}
    cmd = [*ICSYS, "demo", "--no-serve", "--persons", str(persons)]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)


def _start_server(home: Path, port: int, page_cache: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ICSYS_HOME": str(home)}
    cmd = [*ICSYS, "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--page-cache", str(page_cache)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"icsys serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"icsys serve did not answer within {START_TIMEOUT:.0f} s")


def _json(base: str, path: str) -> object:
    with urllib.request.urlopen(base + path, timeout=30) as r:  # noqa: S310
        return json.load(r)


def _pages(base: str) -> dict[str, str]:
    """England, the first system, and a headline indicator for that system (by the API)."""
    systems = _json(base, "/api/v1/areas?level=system&page_size=1")
    system = systems["items"][0]["code"]  # type: ignore[index]
    pages = {"england": "/", "system": f"/systems/{system}"}
    try:
        listed = _json(base, "/api/v1/indicators?page_size=500")
        ids = [i["id"] for i in listed["items"]]  # type: ignore[index]
        chosen = INDICATOR if INDICATOR in ids else ids[0]
        pages["indicator"] = f"/indicators/{chosen}?area={system}"
    except (OSError, IndexError) as exc:
        print(f"no indicator page to test: {exc}", file=sys.stderr)
    return pages


async def _client(
    http: httpx2.AsyncClient, path: str, until: float, timings: list[float], failures: list[str]
) -> None:
    while (start := time.perf_counter()) < until:
        response = await http.get(path)
        elapsed = time.perf_counter() - start
        if response.status_code == 200 and b"<h1" in response.content:
            timings.append(elapsed)
        else:
            failures.append(f"{response.status_code} {path}")


async def _drive(base: str, path: str, clients: int, seconds: float) -> tuple[list[float], int]:
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        timings: list[float] = []
        failures: list[str] = []
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(http, path, until, timings, failures) for _ in range(clients))
        )
    if failures:
        print(f"{len(failures)} failed requests, e.g. {failures[0]}", file=sys.stderr)
    return timings, len(failures)


def _quantile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


def load_page(
    base: str, name: str, path: str, clients: int, warmup: float, duration: float
) -> Figures:
    asyncio.run(_drive(base, path, clients, warmup))
    started = time.perf_counter()
    timings, failures = asyncio.run(_drive(base, path, clients, duration))
    wall = time.perf_counter() - started
    ms = sorted(t * 1000 for t in timings)
    return Figures(
        page=name,
        path=path,
        clients=clients,
        seconds=round(wall, 1),
        requests=len(ms),
        failures=failures,
        throughput_rps=round(len(ms) / wall, 1),
        p50_ms=round(_quantile(ms, 0.50), 1),
        p95_ms=round(_quantile(ms, 0.95), 1),
        p99_ms=round(_quantile(ms, 0.99), 1),
        max_ms=round(ms[-1], 1) if ms else float("nan"),
    )


def _markdown(figures: list[Figures]) -> str:
    lines = [
        "| page | clients | requests | failures | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {f.page} (`{f.path}`) | {f.clients} | {f.requests} | {f.failures} | "
        f"{f.throughput_rps} | {f.p50_ms} | {f.p95_ms} | {f.p99_ms} |"
        for f in figures
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a data folder with a demo already built")
    parser.add_argument("--persons", type=int, default=20_000, help="demo size when building")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--page-cache", type=int, default=512, help="icsys serve --page-cache (0: every page made)"
    )
    parser.add_argument("--markdown", action="store_true", help="also print a markdown table")
    args = parser.parse_args()
    machine = _machine()
    with tempfile.TemporaryDirectory(prefix="icsys-load-") as scratch:
        home = args.home
        if home is None:
            home = Path(scratch) / "home"
            print(f"building a demo of {args.persons:,} persons in {home}", file=sys.stderr)
            _build_demo(home, args.persons)
        port = _free_port()
        server = _start_server(home, port, args.page_cache)
        try:
            base = f"http://127.0.0.1:{port}"
            pages = _pages(base)
            figures = [
                load_page(base, name, path, args.clients, args.warmup, args.duration)
                for name, path in pages.items()
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        json.dumps(
            {
                "machine": machine,
                "page_cache": args.page_cache,
                "figures": [asdict(f) for f in figures],
            },
            indent=2,
        )
    )
    if args.markdown:
        print(_markdown(figures))


if __name__ == "__main__":
    main()
