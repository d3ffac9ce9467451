"""A load killed part-way leaves the lake as it was; a re-run completes. No raw NHS number is
written anywhere under the data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from icsys.config import Settings
from icsys.feeds import lake
from icsys.feeds.ingest import load_feed
from icsys.feeds.pseudonym import is_valid_nhs_number
from icsys.store.db import open_store
from icsys.synth.demo import build_demo

HEADER = (
    "attendance_id,nhs_number,provider_code,arrival_time,departure_time,department_type,disposal\n"
)


def _nhs_numbers(n: int) -> list[str]:
    found, base = [], 400000000
    while len(found) < n:
        base += 1
        for check in range(10):
            if is_valid_nhs_number(f"{base}{check}"):
                found.append(f"{base}{check}")
                break
    return found


def _write(path: Path, numbers: list[str], start: int, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(start, start + rows):
            fh.write(
                f"A{i},{numbers[i % len(numbers)]},ZA{i % 5},2024-0{1 + i % 9}-05 10:00,2024-0{1 + i % 9}-05 13:30,01,03\n"
            )


SCRIPT = """
import sys, time
from pathlib import Path
from icsys.config import Settings
from icsys.store.db import open_store
from icsys.feeds.ingest import load_feed
settings = Settings(home=Path(sys.argv[1]))
def slow(message, done, total):
    print("progress", flush=True)
    time.sleep(0.5)
load_feed(open_store(settings), settings, "ae_attendances", [Path(sys.argv[2])], progress=slow)
"""


def test_killed_load_leaves_lake_unchanged_and_no_raw_nhs_numbers(tmp_path):
    home = tmp_path / "data"
    settings = Settings(home=home)
    env = {**os.environ, "ICSYS_PSEUDONYM_KEY": str(tmp_path / "key")}
    engine = open_store(settings)
    build_demo(engine, settings)
    numbers = _nhs_numbers(500)
    first, big = tmp_path / "first.csv", tmp_path / "big.csv"
    _write(first, numbers, 0, 1000)
    report = load_feed(engine, settings, "ae_attendances", [first], environ=env)
    assert report.rows_loaded == 1000
    before = lake.read_manifest(settings, "ae_attendances")
    files_before = lake.committed_files(settings, "ae_attendances")

    _write(big, numbers, 1000, 400_000)
    script = tmp_path / "load.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(home), str(big)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.time() + 60
    while time.time() < deadline and "progress" not in proc.stdout.readline():
        pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert lake.read_manifest(settings, "ae_attendances") == before
    assert lake.committed_files(settings, "ae_attendances") == files_before

    again = load_feed(engine, settings, "ae_attendances", [big], environ=env)
    assert again.rows_loaded == 400_000
    assert again.files[0].reconciles
    assert not [
        p for p in (home / "lake" / "ae_attendances").iterdir() if p.name.startswith(".staging")
    ]

    # no raw NHS number anywhere under the data folder (lake, quarantine, store, manifests)
    raw = {n.encode() for n in numbers}
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(n in data for n in raw), path
    engine.dispose()
