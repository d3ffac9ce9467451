"""Benchmark: load one large ``ae_attendances`` file (CSV and Parquet) through the real ingest.

    .venv/bin/python benchmarks/feeds/run.py --rows 5000000 [--format csv|parquet|both]

Builds the synthetic demo world (the structure register the codes are checked against) in a
temporary data folder, writes ``--rows`` A&E attendances of about a million people (valid NHS
numbers, pseudonymised at ingest; every register code in force; 0.1 % of rows broken so the
quarantine path runs too) as CSV (times as text) and as Parquet (times as timestamps, the broken
ones missing), then times ``load_feed`` on each into an empty lake. Prints one JSON line of
figures, with the load average (``uptime``) of each load: the machine may be shared.
``--profile out.prof`` writes a cProfile of the loads.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import resource
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from icsys.config import Settings
from icsys.feeds.ingest import load_feed
from icsys.reference.register import code_intervals
from icsys.store.db import open_store
from icsys.synth.demo import build_demo

WEIGHTS = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2])
TODAY = date(2025, 6, 1)


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


def nhs_numbers(count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct valid NHS numbers (modulus 11), as int64."""
    base = rng.choice(np.arange(400_000_000, 999_999_999), size=count * 2, replace=False)
    digits = (base[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits * WEIGHTS).sum(axis=1) % 11
    check = np.where(check == 11, 0, check)
    ok = check != 10
    return (base[ok] * 10 + check[ok])[:count]


def codes(engine: object, level: str) -> np.ndarray:
    """Codes of ``level`` in force throughout 2024."""
    found = code_intervals(engine, level)  # type: ignore[arg-type]
    return np.array(
        sorted(
            c
            for c, spans in found.items()
            if any(s <= date(2024, 1, 1) and (e is None or e > date(2025, 1, 1)) for s, e in spans)
        ),
        dtype=object,
    )


def table(engine: object, rows: int, seed: int = 1) -> tuple[pa.Table, pa.Table]:
    """The rows as CSV will carry them (text times) and as Parquet (typed times)."""
    rng = np.random.default_rng(seed)
    people = nhs_numbers(min(1_000_000, max(rows // 5, 1)), rng)
    trusts, practices, lsoas = (codes(engine, lv) for lv in ("trust", "practice", "lsoa21"))
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    arrival = start + rng.integers(0, 365 * 86_400, rows)
    departure = arrival + rng.integers(10 * 60, 12 * 3600, rows)

    def text(seconds: np.ndarray) -> pa.Array:
        iso = pa.array(seconds.astype("datetime64[s]").astype(str), type=pa.string())
        return pc.replace_substring(iso, "T", " ")

    def pick(values: np.ndarray) -> pa.Array:
        return pa.array(values[rng.integers(0, len(values), rows)], type=pa.string())

    nhs = pa.array(people[rng.integers(0, len(people), rows)]).cast(pa.string())
    arrival_text = text(arrival)
    bad = rng.random(rows) < 0.001  # broken dates: quarantined
    arrival_text = pc.if_else(pa.array(bad), pa.scalar("2024-13-45 10:00:00"), arrival_text)
    text_table = pa.table(
        {
            "attendance_id": pa.array(np.arange(rows, dtype=np.int64) + 10**9).cast(pa.string()),
            "nhs_number": nhs,
            "provider_code": pick(trusts),
            "arrival_time": arrival_text,
            "departure_time": text(departure),
            "department_type": pick(np.array(["01", "03"], dtype=object)),
            "disposal": pick(np.array(["02", "03", "05", "11", "14"], dtype=object)),
            "practice_code": pick(practices),
            "lsoa_code": pick(lsoas),
        }
    )
    seconds = pa.timestamp("s")
    typed = text_table.set_column(
        3, "arrival_time", pa.array(arrival.astype("datetime64[s]"), seconds, mask=bad)
    ).set_column(4, "departure_time", pa.array(departure.astype("datetime64[s]"), seconds))
    return text_table, typed


def load(engine: object, home: Path, path: Path, key: Path, profile: cProfile.Profile | None):
    settings = Settings(home=home)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    if profile:
        profile.enable()
    report = load_feed(
        engine,  # type: ignore[arg-type]
        settings,
        "ae_attendances",
        [path],
        today=TODAY,
        environ={"ICSYS_PSEUDONYM_KEY": str(key)},
    )
    if profile:
        profile.disable()
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime
    f = report.files[0]
    assert f.reconciles
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_s, 1),
        "load_average_1m": os.getloadavg()[0],
        "uptime": subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "rows_read": f.rows_read,
        "rows_loaded": f.rows_loaded,
        "rows_quarantined": f.rows_quarantined,
        "rows_per_s": round(f.rows_read / seconds),
        "file_mib": round(path.stat().st_size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--format", choices=("csv", "parquet", "both"), default="both")
    parser.add_argument("--work", type=Path, default=None, help="keep files here (re-used)")
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="icsys-feeds-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    world = Settings(home=work / "world")
    engine = open_store(world)
    if not (work / "world" / "synthetic-reference").exists():
        build_demo(engine, world)
    formats = ["csv", "parquet"] if args.format == "both" else [args.format]
    csv_path = work / f"ae_{args.rows}.csv"
    parquet_path = work / f"ae_{args.rows}.parquet"
    if not (csv_path.exists() and parquet_path.exists()):
        text, typed = table(engine, args.rows)
        pacsv.write_csv(text, csv_path, write_options=pacsv.WriteOptions(quoting_style="needed"))
        pq.write_table(typed, parquet_path, compression="zstd", compression_level=1)
    profile = cProfile.Profile() if args.profile else None
    figures: dict[str, object] = {"machine": machine(), "rows": args.rows}
    for fmt in formats:
        path = csv_path if fmt == "csv" else parquet_path
        home = Path(tempfile.mkdtemp(prefix=f"lake-{fmt}-", dir=work))
        figures[fmt] = load(engine, home, path, work / "pseudonym.key", profile)
    if profile:
        profile.dump_stats(args.profile)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
