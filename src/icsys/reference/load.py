"""``icsys reference load``: read a folder or files of published reference data into the store.

Every file is read and checked first; then everything is written in one transaction, with the
effective-dated views derived again, so a load that fails part-way leaves the store as it was.
A file already loaded (same SHA-256) is skipped, so loading the same data twice changes nothing.
Quarantined rows go to ``quarantine/reference/<file>.csv`` in the data folder.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select

from icsys.config import Settings
from icsys.errors import InputFileError, QuarantineError, UnrecognisedFileError
from icsys.reference import rebuild
from icsys.reference.formats import recognise
from icsys.reference.parsed import Parsed
from icsys.reference.reading import Table, read_tables
from icsys.store import models as m
from icsys.store.bulk import bulk_insert

Progress = Callable[[str], None]
_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".txt"}


@dataclass
class FileOutcome:
    label: str
    kind: str
    status: str  # loaded | already loaded | not reference data
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_out_of_scope: int = 0
    out_of_scope: dict[str, int] = field(default_factory=dict)
    quarantine_file: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_out_of_scope


@dataclass
class LoadReport:
    files: list[FileOutcome] = field(default_factory=list)
    edges_written: int = 0
    successions: int = 0
    seconds: float = 0.0

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def discover(paths: Iterable[Path]) -> list[Path]:
    """The files to load: the given files, and the data files directly inside given folders."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputFileError("no such file or folder", path=str(path))
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
            )
        else:
            found.append(path)
    return found


def _parse_table(table: Table, valid_from: date | None) -> Parsed | None:
    fmt = recognise(table)
    if fmt is None:
        return None
    parsed = Parsed(kind=fmt.kind, label=table.label, path=table.path, sha256=table.sha256)
    parsed.valid_from_override = valid_from
    fmt.parse(table, parsed)
    if parsed.rows_read == 0:
        raise InputFileError(
            "has a header but no data rows", path=table.label, line=2, expected="data rows"
        )
    return parsed


def _parse_file(
    path: Path, valid_from: date | None, encoding: str
) -> list[tuple[str, Parsed | None]]:
    tables = read_tables(path, encoding=encoding)
    return [(t.label, _parse_table(t, valid_from)) for t in tables]


def parse_files(
    files: list[Path], *, valid_from: date | None, encoding: str, progress: Progress
) -> tuple[list[Parsed], list[FileOutcome]]:
    """Read and check every file, on every core: nothing is written until all are read."""
    parsed: list[Parsed] = []
    skipped: list[FileOutcome] = []
    workers = min(len(files), os.cpu_count() or 1, 4)
    if workers > 1:
        # forkserver, not fork: the caller may already run DuckDB or Arrow threads, and a forked
        # copy of a multithreaded process can crash
        context = get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_parse_file, path, valid_from, encoding) for path in files]
            results = []
            for path, future in zip(files, futures, strict=True):
                progress(f"reading {path.name}")
                results.append((path, future.result()))
    else:
        results = []
        for path in files:
            progress(f"reading {path.name}")
            results.append((path, _parse_file(path, valid_from, encoding)))
    for path, tables in results:
        if all(p is None for _, p in tables):
            skipped.append(FileOutcome(path.name, "-", "not reference data"))
            continue
        for label, result in tables:
            if result is None:
                skipped.append(FileOutcome(label, "-", "not reference data"))
            else:
                parsed.append(result)
    return parsed, skipped


def _write_quarantine(settings: Settings, parsed: Parsed) -> str | None:
    if not parsed.quarantine:
        return None
    folder = settings.quarantine_dir / "reference"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{parsed.label.replace('[', '_').replace(']', '')}.{parsed.sha256[:12]}.csv"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "line", "column", "value", "reason"])
        for q in parsed.quarantine:
            writer.writerow([q.file, q.line, q.column, q.value, q.reason])
    Path(tmp).replace(target)
    return str(target)


def _outcome(p: Parsed, status: str) -> FileOutcome:
    return FileOutcome(
        label=p.label,
        kind=p.kind,
        status=status,
        rows_read=p.rows_read,
        rows_loaded=p.rows_loaded,
        rows_quarantined=p.rows_quarantined,
        rows_out_of_scope=p.rows_out_of_scope,
        out_of_scope=dict(p.out_of_scope),
        notes=list(p.notes),
    )


def _insert_batch(conn: Connection, p: Parsed, report_text: str) -> int:
    result = conn.execute(
        insert(m.batch).values(
            kind=p.kind,
            source_name=p.label,
            source_path=str(p.path),
            sha256=_batch_key(p),
            snapshot_date=p.snapshot_date,
            rows_read=p.rows_read,
            rows_loaded=p.rows_loaded,
            rows_quarantined=p.rows_quarantined,
            rows_out_of_scope=p.rows_out_of_scope,
            report=report_text,
            loaded_at=datetime.now(UTC),
        )
    )
    key = result.inserted_primary_key
    assert key is not None  # noqa: S101 - an INSERT always returns its key
    return int(key[0])


def _batch_key(p: Parsed) -> str:
    """The idempotency key: the file's SHA-256, qualified by sheet for workbooks."""
    if "[" not in p.label:
        return p.sha256
    return hashlib.sha256(f"{p.sha256}:{p.label}".encode()).hexdigest()


def write(
    engine: Engine, settings: Settings, parsed: list[Parsed], progress: Progress
) -> LoadReport:
    report = LoadReport()
    with engine.begin() as conn:
        known = {k for (k,) in conn.execute(select(m.batch.c.sha256))}
        touched: set[tuple[str, str, str]] = set()
        levels: set[str] = set()
        orgs = False
        declared = False
        for p in parsed:
            key = _batch_key(p)
            if key in known:
                report.files.append(_outcome(p, "already loaded"))
                continue
            known.add(key)
            progress(f"writing {p.label}")
            outcome = _outcome(p, "loaded")
            outcome.quarantine_file = _write_quarantine(settings, p)
            batch_id = _insert_batch(conn, p, json.dumps({"out_of_scope": outcome.out_of_scope}))
            bulk_insert(
                conn,
                m.snapshot,
                ["batch_id", "relation", "child_level", "parent_level", "snapshot_date"],
                [(batch_id, *k, d) for k, d in p.snapshots.items()],
            )
            bulk_insert(
                conn,
                m.assertion,
                [
                    "batch_id",
                    "relation",
                    "child_level",
                    "child",
                    "parent_level",
                    "parent",
                    "valid_from",
                    "valid_to",
                    "share",
                ],
                [(batch_id, *a) for a in p.assertions],
            )
            bulk_insert(
                conn,
                m.area_record,
                ["batch_id", "level", "code", "name", "ods_code", "snapshot_date"],
                [(batch_id, *a) for a in p.areas],
            )
            bulk_insert(
                conn,
                m.org_record,
                [
                    "batch_id",
                    "ods_code",
                    "name",
                    "org_type",
                    "trust_type",
                    "sector",
                    "postcode",
                    "open_date",
                    "close_date",
                    "status",
                    "snapshot_date",
                ],
                [(batch_id, *o) for o in p.orgs],
            )
            bulk_insert(
                conn,
                m.attribute,
                ["batch_id", "level", "code", "name", "as_of", "value_num", "value_text"],
                [(batch_id, *a) for a in p.attributes],
            )
            bulk_insert(
                conn,
                m.deprivation,
                ["batch_id", "edition", "level", "code", "score", "rank", "decile", "domains"],
                [(batch_id, *d) for d in p.deprivation],
            )
            bulk_insert(
                conn,
                m.population,
                ["batch_id", "level", "code", "year", "sex", "total", "ages"],
                [(batch_id, *r) for r in p.population],
            )
            bulk_insert(
                conn,
                m.declared_succession,
                [
                    "batch_id",
                    "level",
                    "old_code",
                    "new_code",
                    "effective",
                    "kind",
                    "share",
                    "basis",
                ],
                [(batch_id, *s) for s in p.successions],
            )
            touched.update(p.snapshots)
            declared = declared or bool(p.successions)
            levels.update(a[0] for a in p.areas)
            orgs = orgs or bool(p.orgs)
            report.files.append(outcome)
        if touched:
            progress("deriving effective-dated edges")
            report.edges_written = rebuild.rebuild_edges(conn, touched)
            rebuild.rebuild_areas(conn, levels)
        if touched or declared:
            report.successions = rebuild.rebuild_successions(conn)
        if orgs or any(key[0] == "catchment" for key in touched):
            rebuild.rebuild_organisations(conn)
    return report


def load_reference(
    engine: Engine,
    settings: Settings,
    paths: Iterable[Path],
    *,
    valid_from: date | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    progress: Progress = lambda _msg: None,
) -> LoadReport:
    """Load reference files into the store, atomically; see the module docstring."""
    started = datetime.now(UTC)
    files = discover(paths)
    parsed, skipped = parse_files(
        files, valid_from=valid_from, encoding=encoding, progress=progress
    )
    if not parsed:
        names = ", ".join(f.label for f in skipped) or "no data files"
        raise UnrecognisedFileError(
            f"none of these is a reference file icsys knows: {names}",
            expected="an ONS/NHS lookup, IMD, population, ODS, ePCN or OpenPrescribing file",
        )
    quarantined = sum(p.rows_quarantined for p in parsed)
    if strict and quarantined:
        first = next(q for p in parsed for q in p.quarantine)
        raise QuarantineError(
            f"{quarantined} row(s) would be quarantined and --strict was given; "
            f"first: {first.file} "
            f"line {first.line} column {first.column!r}: {first.reason} (value {first.value!r})"
        )
    report = write(engine, settings, parsed, progress)
    report.files.extend(skipped)
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    return report
