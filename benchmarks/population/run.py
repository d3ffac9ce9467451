"""Benchmark: generate a synthetic population on the real England structure and ingest it.

    .venv/bin/python benchmarks/population/run.py --persons 1000000 --years 3 [--home DIR --fresh]

Loads ../shared/data into a temporary data folder (unless --home already holds it), then
generates the feeds (two worker processes) and loads them through the real ingest (two worker
processes, each loading several feeds), timing both. Peak memory: the largest resident set of
the main process (calibration, register read), of any generation worker and of any ingest
worker, from getrusage. The load average (``uptime``) before and after is recorded: the machine
may be shared. Prints one JSON line of figures at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from icsys.config import Settings
from icsys.store.db import open_store
from icsys.synth.population.generate import PopulationSpec
from icsys.synth.population.service import synthesise_population

ROOT = Path(__file__).resolve().parents[2]


def machine() -> dict[str, object]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 2**20, 1),
        "cpu": cpu,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--system",
        action="append",
        default=[],
        help="place people only in this system (ICB code, E54...; repeatable)",
    )
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="feed folder (default in home)")
    parser.add_argument(
        "--fresh", action="store_true", help="empty the lake and quarantine of --home first"
    )
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="icsys-bench-")) / "home"
    if args.fresh:  # a reused home: its lake would already hold the same files (nothing to load)
        for folder in (home / "lake", home / "quarantine" / "feeds"):
            shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "ICSYS_HOME": str(home)}
    env.setdefault("ICSYS_PSEUDONYM_KEY", str(home.parent / "pseudonym.key"))
    os.environ["ICSYS_PSEUDONYM_KEY"] = env["ICSYS_PSEUDONYM_KEY"]
    reference_seconds = None
    if not (home / "icsys.sqlite").exists():
        began = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "icsys"), "reference", "load", str(args.reference)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        reference_seconds = round(time.perf_counter() - began, 1)
    settings = Settings(home=home)
    engine = open_store(settings)
    spec = PopulationSpec(
        persons=args.persons, years=args.years, seed=args.seed, systems=tuple(args.system)
    )
    load_before = round(os.getloadavg()[0], 1)
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    began = time.perf_counter()
    result = synthesise_population(
        engine,
        settings,
        spec,
        out=args.out,
        load=not args.no_load,
        progress=lambda m: print(m, flush=True),
    )
    total = time.perf_counter() - began
    g = result.generation
    files_bytes = sum(p.stat().st_size for ps in g.files.values() for p in ps)
    figures = {
        "machine": machine(),
        "persons": args.persons,
        "people_with_births": g.people,
        "years": args.years,
        "basis": g.basis,
        "reference_load_s": reference_seconds,
        "generation_s": round(g.seconds, 1),
        "calibration_s": round(g.calibration_seconds, 1),
        "rows": g.total_rows,
        "rows_by_feed": g.rows,
        "generation_rows_per_s": round(g.total_rows / g.seconds),
        "files_mib": round(files_bytes / 2**20, 1),
        "ingest_s": round(result.load_seconds, 1),
        "ingest_rows_per_s": round(result.rows_read / result.load_seconds)
        if result.loads
        else None,
        "ingest_by_feed_s": {r.feed: round(r.seconds, 1) for r in result.loads},
        "load_average_1m_before": load_before,
        "uptime_before": uptime_before.strip(),
        "ingest_cpu_s": round(sum(c.cpu_seconds for c in result.load_costs.values()), 1),
        "ingest_cpu_by_feed_s": {f: round(c.cpu_seconds, 1) for f, c in result.load_costs.items()},
        "peak_rss_ingest_worker_mib": round(  # a worker loads several feeds: its peak
            max((c.peak_rss_mib for c in result.load_costs.values()), default=0)
        ),
        "generation_cpu_s": round(g.cpu_seconds, 1),
        "load_average_1m_after": round(os.getloadavg()[0], 1),
        "uptime_after": subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "rows_quarantined": result.rows_quarantined,
        "total_s": round(total, 1),
        "peak_rss_main_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_generation_worker_mib": round(g.peak_worker_rss_mib),
        "home": str(home),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
