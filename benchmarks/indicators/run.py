"""Benchmark: the indicator engine against a hand-written DuckDB SQL script, a pandas
implementation and a per-indicator, per-period, per-level query loop, on one synthetic lake.

    .venv/bin/python -m benchmarks.indicators.run --home DIR [--loop-timeout S] [--out FILE]

``--home`` is a data folder with the structure and a loaded population (make one with
``benchmarks/population/run.py --home DIR``). The parent builds the structure and period
tables once; each contender then runs in its own child process (clean peak memory, read from
``wait4``) and writes its long frame (numerators and denominators per indicator, period, level,
area, breakdown value and age band) for the six benchmark indicators, which covers every
method (count, proportion, crude rate, DSR) and source kind (a population snapshot with
conditions, events per registered population). Every contender's post-aggregation (limits,
DSR, SPC) is the same Python (``icsys.analytics.finish``), timed inside it. The parent asserts
that every contender's long frame equals the engine's before it reports. ``icsys-full`` is
``icsys indicators compute`` of the whole library (with the public view and the mart).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from icsys.analytics.families import LONG_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS = ("icsys", "sql", "pandas", "loop", "icsys-full")
KEYS = [c for c in LONG_COLUMNS if c not in {"numerator", "denominator"}]
MEMORY_LIMIT = "6GB"  # DuckDB's, the same for the engine and the hand-written SQL


def _machine() -> dict[str, Any]:
    from benchmarks.population.run import machine  # noqa: PLC0415

    return machine()


# --- children ---------------------------------------------------------------------------------
def _child(name: str, work: Path, deadline: float) -> dict[str, Any]:
    from benchmarks.indicators.handwritten import INDICATORS  # noqa: PLC0415

    from icsys.analytics.definitions.loader import load_library  # noqa: PLC0415
    from icsys.analytics.finish import finish  # noqa: PLC0415

    tables = json.loads((work / "inputs.json").read_text())
    periods = pickle.loads((work / "periods.pkl").read_bytes())  # noqa: S301 - our own file
    library = load_library().select(INDICATORS)
    began = time.perf_counter()
    extra: dict[str, Any] = {}
    if name == "icsys":
        long = _icsys(library, tables)
    elif name == "sql":
        long = _sql(tables, periods)
    elif name == "pandas":
        from benchmarks.indicators.pandas_impl import long_frame  # noqa: PLC0415

        long = long_frame(tables, INDICATORS)
    elif name == "loop":
        long, extra = _loop(tables, periods, deadline)
    else:
        return _full(work)
    aggregate = time.perf_counter() - began
    values = finish(library, long, periods)
    total = time.perf_counter() - began
    long.astype({c: object for c in long.columns if str(long[c].dtype) == "category"}).to_parquet(
        work / f"{name}.parquet"
    )
    return {
        "aggregate_s": round(aggregate, 2),
        "finish_s": round(total - aggregate, 2),
        "total_s": round(total, 2),
        "long_rows": len(long),
        "value_rows": len(values),
        **extra,
    }


def _icsys(library: Any, tables: dict[str, list[str]]) -> pd.DataFrame:
    from icsys.analytics.engines.base import InputFiles  # noqa: PLC0415
    from icsys.analytics.engines.duckdb_engine import DuckDBEngine  # noqa: PLC0415
    from icsys.analytics.families import build_plan  # noqa: PLC0415

    inputs = InputFiles({k: [Path(p) for p in v] for k, v in tables.items()})
    return DuckDBEngine(memory_limit=MEMORY_LIMIT).aggregate(build_plan(library), inputs)


def _connect(tables: dict[str, list[str]]) -> Any:
    import duckdb  # noqa: PLC0415

    spill = tempfile.mkdtemp(prefix="ind-sql-")  # the engine's settings: same limit, same spill
    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": spill}
    con = duckdb.connect(config={**config, "preserve_insertion_order": False})
    for name, paths in tables.items():
        listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        con.execute(
            f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{listed}], '
            "hive_partitioning = false)"
        )
    return con


def _sql(tables: dict[str, list[str]], periods: list[Any]) -> pd.DataFrame:
    from benchmarks.indicators.handwritten import INDICATORS, LEVELS, sql  # noqa: PLC0415

    from icsys.analytics.long import categorical_frame  # noqa: PLC0415

    con = _connect(tables)
    ids = [p.period_id for p in periods]
    return categorical_frame(con.sql(sql(ids, LEVELS, INDICATORS)).to_arrow_table())


def _loop(
    tables: dict[str, list[str]], periods: list[Any], deadline: float
) -> tuple[pd.DataFrame, dict[str, Any]]:
    import pyarrow as pa  # noqa: PLC0415
    from benchmarks.indicators.handwritten import INDICATORS, LEVELS, SHAPE, sql  # noqa: PLC0415

    from icsys.analytics.long import categorical_frame  # noqa: PLC0415

    con = _connect(tables)
    queries = [
        (ind, p.period_id, lv)
        for ind in INDICATORS
        for p in periods
        if p.period_type in SHAPE[ind][0]
        for lv in LEVELS
    ]
    parts = []
    began = time.perf_counter()
    for ind, pid, lv in queries:
        if time.time() > deadline:
            break
        parts.append(con.sql(sql([pid], [lv], [ind])).to_arrow_table())
    spent = time.perf_counter() - began
    done = len(parts)
    extra = {
        "queries": len(queries),
        "queries_done": done,
        "complete": done == len(queries),
        "projected_aggregate_s": round(spent / max(done, 1) * len(queries), 1),
    }
    return categorical_frame(pa.concat_tables(parts, promote_options="permissive")), extra


def _full(work: Path) -> dict[str, Any]:
    from icsys.analytics.service import compute  # noqa: PLC0415
    from icsys.config import Settings  # noqa: PLC0415
    from icsys.store.db import open_store  # noqa: PLC0415

    settings = Settings(home=Path((work / "home.txt").read_text()))
    began = time.perf_counter()
    result = compute(settings, open_store(settings))
    return {
        "total_s": round(time.perf_counter() - began, 2),
        "value_rows": result.rows,
        "indicators": result.indicators,
        "steps_s": {k: round(v, 2) for k, v in result.seconds.items()},
    }


# --- parent -----------------------------------------------------------------------------------
def _prepare(home: Path, work: Path, stack: Any) -> dict[str, int]:
    from icsys.analytics.engines.base import FEEDS, input_files  # noqa: PLC0415
    from icsys.analytics.periods import periods_ending  # noqa: PLC0415
    from icsys.analytics.service import data_end  # noqa: PLC0415
    from icsys.analytics.structure import build_structure  # noqa: PLC0415
    from icsys.config import Settings  # noqa: PLC0415
    from icsys.feeds.lake import committed_files  # noqa: PLC0415
    from icsys.store.db import open_store  # noqa: PLC0415

    settings = Settings(home=home)
    end = data_end(settings)
    assert end is not None, "the lake is empty"
    periods = periods_ending(end, months=24, quarters=8, years=3)
    structure = build_structure(open_store(settings), max(p.end for p in periods))
    lake = {f: committed_files(settings, f) for f in FEEDS}
    inputs = stack.enter_context(input_files(lake, structure, periods))
    tables = {k: [str(p) for p in v] for k, v in inputs.tables.items()}
    (work / "inputs.json").write_text(json.dumps(tables))
    (work / "periods.pkl").write_bytes(pickle.dumps(periods))
    (work / "home.txt").write_text(str(home))
    return _lake_shape(lake["registrations"], structure.tables["practice_levels"])


def _lake_shape(registrations: list[Path], levels: Any) -> dict[str, int]:
    """What the lake holds: people registered, and the practices, PCNs and systems they are
    registered in (the output's size follows the areas with people, not the people)."""
    import duckdb  # noqa: PLC0415

    con = duckdb.connect()
    con.register("levels", levels)
    con.read_parquet([str(f) for f in registrations]).create_view("registrations")
    row = con.execute(
        """SELECT count(DISTINCT r.person_id), count(DISTINCT r.practice_code),
        count(DISTINCT l.pcn_code), count(DISTINCT l.system_code)
        FROM registrations r LEFT JOIN levels l ON l.leaf = r.practice_code"""
    ).fetchone()
    con.close()
    assert row is not None  # an aggregate has one row
    return dict(zip(("people", "practices", "pcns", "systems"), map(int, row), strict=True))


def _run_child(name: str, work: Path, timeout: float) -> dict[str, Any]:
    out = work / f"{name}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.indicators.run", "--child", name, "--work", str(work)]
    cmd += ["--deadline", str(time.time() + timeout * 0.8)]
    scratch = work / f"tmp-{name}"  # spill folders: removed even when the child is killed
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    began = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
        return _wait(proc, out, began, timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _wait(proc: subprocess.Popen[bytes], out: Path, began: float, timeout: float) -> dict[str, Any]:
    status = None
    rusage = None
    while time.perf_counter() - began < timeout:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.5)
    else:
        proc.kill()
        _pid, status, rusage = os.wait4(proc.pid, 0)
        return {"error": f"killed after {timeout:.0f} s", "peak_rss_mib": _mib(rusage)}
    wall = time.perf_counter() - began
    if status != 0 or not out.exists():
        return {
            "error": f"exit status {status}",
            "wall_s": round(wall, 1),
            "peak_rss_mib": _mib(rusage),
        }
    return {**json.loads(out.read_text()), "wall_s": round(wall, 1), "peak_rss_mib": _mib(rusage)}


def _mib(rusage: Any) -> int | None:
    return None if rusage is None else round(rusage.ru_maxrss / 1024)


def _check(work: Path, names: list[str]) -> dict[str, Any]:
    """Every contender's long frame equals the engine's (all rows, or a loop's partial rows)."""

    def load(name: str) -> pd.DataFrame:
        frame = pd.read_parquet(work / f"{name}.parquet")
        frame["parent_code"] = frame["parent_code"].fillna("")
        frame["esp_band"] = frame["esp_band"].astype(int)
        return frame

    checked: dict[str, Any] = {}
    if not (work / "icsys.parquet").exists():  # the engine was not among the contenders
        return checked
    base = load("icsys")
    for name in names:
        if name == "icsys" or not (work / f"{name}.parquet").exists():
            continue
        other = load(name)
        how = "left" if name == "loop" else "outer"
        merged = other.merge(base, on=KEYS, how=how, suffixes=("", "_icsys"), indicator=True)
        assert (merged["_merge"] == "both").all(), (name, merged[merged["_merge"] != "both"].head())
        for col in ("numerator", "denominator"):
            a, b = merged[col].to_numpy(float), merged[f"{col}_icsys"].to_numpy(float)
            assert np.allclose(a, b, rtol=1e-9, equal_nan=True), (name, col)
        checked[name] = len(merged)
    return checked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--timeout", type=float, default=1800.0, help="per contender, seconds")
    parser.add_argument("--loop-timeout", type=float, default=900.0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child", default=None)
    parser.add_argument("--deadline", type=float, default=0.0)
    args = parser.parse_args()
    if args.child:
        result = _child(args.child, args.work, args.deadline)
        (args.work / f"{args.child}.json").write_text(json.dumps(result))
        return
    from contextlib import ExitStack  # noqa: PLC0415

    names = args.contenders.split(",")
    with ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ind-")))
        work.mkdir(parents=True, exist_ok=True)
        shape = _prepare(args.home, work, stack)
        load = os.getloadavg()
        results = {}
        for name in names:
            timeout = args.loop_timeout if name == "loop" else args.timeout
            results[name] = _run_child(name, work, timeout)
            print(name, json.dumps(results[name]), flush=True)
        checked = _check(work, names)
    figures = {
        "machine": _machine(),
        "home": str(args.home),
        "lake": shape,
        "load_average_before": [round(x, 1) for x in load],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "agreement_rows_checked": checked,
        "contenders": results,
        "ratios_to_sql": _ratios(results),
    }
    text = json.dumps(figures, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)


def _ratios(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    sql = results.get("sql", {})
    out = {}
    for name, r in results.items():
        if "error" in r:
            continue
        time_ = r.get("total_s") if r.get("complete", True) else r.get("projected_aggregate_s")
        out[name] = {
            "time": round(time_ / sql["total_s"], 2) if time_ and sql.get("total_s") else None,
            "peak_rss": round(r["peak_rss_mib"] / sql["peak_rss_mib"], 2)
            if r.get("peak_rss_mib") and sql.get("peak_rss_mib")
            else None,
        }
    return out


if __name__ == "__main__":
    main()
