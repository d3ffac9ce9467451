"""``icsys feeds load``: validate partner files against their contract and add them to the lake.

One call is one batch, all in or all out: every new file is streamed chunk by chunk through the
checks (:mod:`icsys.feeds._validate`), good rows to staged Parquet parts, rejected rows to the
batch's quarantine file, then keys are checked across the batch and the lake; only then is the
batch committed (:mod:`icsys.feeds.lake`). A file whose SHA-256 is already in the lake is
skipped, so loading the same file twice loads it once. Per file, rows read = rows loaded + rows
quarantined + rows out of scope.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.errors import QuarantineError, UserError
from icsys.feeds import lake
from icsys.feeds._dedupe import find_duplicates, remove_rows
from icsys.feeds._files import (
    QuarantineFile,
    discover,
    file_sha256,
    read_mapping,
    register_intervals,
)
from icsys.feeds._read import FILE, Chunk, open_source, problems
from icsys.feeds._validate import Checker, RegisterLookup
from icsys.feeds.ae_provider import AeProviderAdapter
from icsys.feeds.contracts import NHS_NUMBER, PERSON_ID, Contract, contract
from icsys.feeds.pseudonym import Pseudonymiser, load_key

Progress = Callable[[str, int, int], None]  # message, units done, units in all (bytes)
Registers = Mapping[tuple[str, ...], pl.DataFrame]  # register levels → code intervals


def read_registers(engine: Engine, feeds: Iterable[str]) -> dict[tuple[str, ...], pl.DataFrame]:
    """The register code intervals the checks of ``feeds`` use, read once for a run of loads
    (levels the register has no codes of are left out: the load that needs them says so)."""
    found: dict[tuple[str, ...], pl.DataFrame] = {}
    for feed in feeds:
        for col in contract(feed).columns:
            if col.register and col.register not in found:
                try:
                    found[col.register] = register_intervals(engine, col.register, col.name)
                except UserError:
                    continue
    return found


@dataclass
class FileReport:
    name: str
    path: str
    sha256: str
    status: str  # loaded | already loaded | repeated in this call
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_out_of_scope: int = 0
    out_of_scope: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_out_of_scope

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "status"}


@dataclass
class FeedLoadReport:
    feed: str
    batch_id: str | None = None
    files: list[FileReport] = field(default_factory=list)
    quarantine_file: str | None = None
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def _missing(c: Contract, header: list[str], mapped: bool) -> list[str]:
    present = set(header)
    missing = [
        col.name
        for col in c.columns
        if col.required and col.name not in present and col.name != PERSON_ID
    ]
    if c.person_level and not present & {PERSON_ID, NHS_NUMBER}:
        missing.insert(0, "nhs_number or person_id")
    if (
        c.name == "conditions"
        and "cluster" in missing
        and mapped
        and {"code_system", "code"} <= present
    ):
        missing.remove("cluster")
    return missing


def _prefetch(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """The chunks, the next one read in a thread while this one is checked (the CSV and Parquet
    readers, Polars and the Parquet writer release the GIL, so reading, checking and writing
    overlap)."""
    with ThreadPoolExecutor(1, thread_name_prefix="icsys-read") as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


class _Run:
    """The state of one batch while its files are read."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        c: Contract,
        *,
        today: date,
        mapping: Path | None,
        encoding: str,
        environ: Mapping[str, str] | None,
        progress: Progress,
        registers: Registers | None = None,
    ) -> None:
        self.engine, self.settings, self.contract = engine, settings, c
        self.intervals = dict(registers or {})
        self.today, self.encoding, self.environ, self.progress = today, encoding, environ, progress
        self.mapping = read_mapping(mapping) if mapping else None
        self.batch = lake.StagedBatch(settings, c, lake.new_batch_id())
        self.quarantine = QuarantineFile(settings, c.name, self.batch.batch_id)
        self.adapter = AeProviderAdapter() if c.kind == "published" else None
        self._registers: dict[str, RegisterLookup] = {}
        self._pseudonymiser: Pseudonymiser | None = None
        self.done = 0
        self.total = 0

    def registers(self, present: set[str]) -> dict[str, pl.DataFrame | RegisterLookup]:
        """The lookups of the register columns in ``present``, built once per load."""
        for col in self.contract.columns:
            if col.register and col.name in present and col.name not in self._registers:
                intervals = self.intervals.get(col.register)
                if intervals is None:
                    intervals = register_intervals(self.engine, col.register, col.name)
                    self.intervals[col.register] = intervals
                self._registers[col.name] = RegisterLookup.of(intervals)
        return {k: v for k, v in self._registers.items() if k in present}

    def pseudonymiser(self) -> Pseudonymiser:
        if self._pseudonymiser is None:
            self._pseudonymiser = Pseudonymiser(load_key(self.settings, self.environ))
        return self._pseudonymiser

    def load_file(self, index: int, path: Path, report: FileReport) -> None:
        c = self.contract
        source = open_source(path, encoding=self.encoding)
        rename = self.adapter.rename(source.header) if self.adapter else {}
        header = [rename.get(h, h) for h in source.header]
        wanted = {col.name for col in c.columns} | {NHS_NUMBER, "code_system", "code"}
        extra = [h for h in header if h not in wanted and not h.startswith("_unnamed_")]
        if extra:
            report.notes.append(f"columns not in the contract, ignored: {', '.join(extra)}")
        missing = _missing(c, header, self.mapping is not None)
        if missing and not source.file_problem:
            source.file_problem = (
                f"required column(s) missing from the header: {', '.join(missing)}"
            )
        present = {h for h in header if h in wanted}
        by_source = {rename.get(h, h): h for h in source.header}
        columns = [by_source[h] for h in header if h in present]
        types = {by_source[col.name]: col.type for col in c.columns if col.name in by_source}
        if not source.file_problem:
            source.file_problem = source.type_problem(columns, types)
        checker = Checker(
            c,
            present,
            self.today,
            self.registers(present) if not source.file_problem else {},
            self.pseudonymiser() if NHS_NUMBER in present and c.person_level else None,
            self.mapping,
        )
        for chunk in _prefetch(source.chunks(columns, types)):
            self._chunk(
                index, path, chunk.frame.rename(rename), chunk, checker, report, source.file_problem
            )
        if self.adapter:
            bad = self.adapter.check(path.name)
            if bad:
                frame = pl.DataFrame(
                    bad, schema=["line", "column", "value", "reason"], orient="row"
                )
                self.quarantine.add(path.name, frame)
                report.rows_quarantined += 1
                report.rows_out_of_scope -= 1
                report.out_of_scope.pop("file total row", None)

    def _chunk(
        self,
        index: int,
        path: Path,
        frame: pl.DataFrame,
        chunk: Chunk,
        checker: Checker,
        report: FileReport,
        file_problem: str | None,
    ) -> None:
        report.rows_read += chunk.rows
        found = [chunk.problems]
        if file_problem and not frame.is_empty():  # Parquet: the reader does not know the problem
            found.append(problems(frame["_line"], FILE, "", file_problem))
            frame = frame.clear()
        if self.adapter and not frame.is_empty():
            frame, out = self.adapter.prepare(path.name, frame)
            for reason, n in out.group_by("reason").len().iter_rows():
                report.out_of_scope[reason] = report.out_of_scope.get(reason, 0) + n
                report.rows_out_of_scope += n
        if not frame.is_empty():
            good, bad = checker.check(frame)
            found.append(bad)
            self.batch.write(good, index)
            report.rows_loaded += good.height
            if self.adapter:
                self.adapter.loaded(path.name, good)
        rejected = pl.concat(found)
        report.rows_quarantined += rejected["line"].n_unique()
        self.quarantine.add(path.name, rejected)
        self.done += chunk.nbytes
        self.progress(f"{path.name}: {report.rows_read:,} rows", self.done, self.total)

    def dedupe(self, reports: list[FileReport]) -> None:
        parts = self.batch.close()
        committed = lake.committed_files(self.settings, self.contract.name)
        names = [r.name for r in reports]
        dups = find_duplicates(
            self.contract, parts, committed, names, self.batch.staging / ".duckdb"
        )
        if dups.is_empty():
            return
        remove_rows(self.contract, parts, dups)
        for (file_index,), rows in dups.partition_by("source_file", as_dict=True).items():
            report = reports[int(file_index)]
            report.rows_loaded -= rows.height
            report.rows_quarantined += rows.height
            frame = rows.select(
                pl.col("source_line").alias("line"),
                pl.lit("(key)").alias("column"),
                "value",
                "reason",
            )
            self.quarantine.add(report.name, frame)
        self.batch.rows -= dups.height


def _refuse(quarantined: int) -> None:
    raise QuarantineError(
        f"{quarantined} row(s) would be quarantined and --strict was given; nothing was loaded "
        "(see the reasons with a load without --strict)"
    )


def load_feed(
    engine: Engine,
    settings: Settings,
    feed: str,
    paths: Iterable[Path],
    *,
    encoding: str = "utf-8",
    mapping: Path | None = None,
    strict: bool = False,
    today: date | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Progress = lambda _m, _d, _t: None,
    registers: Registers | None = None,
) -> FeedLoadReport:
    """Load files of one feed as one atomic, idempotent batch; see the module docstring.

    ``registers``: code intervals from :func:`read_registers`, when a run of loads has read
    them once (else the levels this feed checks are read here)."""
    started = time.perf_counter()
    c = contract(feed)
    files = discover(paths)
    report = FeedLoadReport(feed=c.name)
    day = today or datetime.now(UTC).date()
    with lake.feed_lock(settings, c.name):
        known = lake.loaded_hashes(settings, c.name)
        todo: list[tuple[Path, FileReport]] = []
        for path in files:
            progress(f"hashing {path.name}", 0, 0)
            digest = file_sha256(path)
            status = "already loaded" if digest in known else "loaded"
            known.add(digest)
            item = FileReport(path.name, str(path.resolve()), digest, status)
            report.files.append(item)
            if status == "loaded":
                todo.append((path, item))
        if not todo:
            report.seconds = time.perf_counter() - started
            return report
        run = _Run(
            engine,
            settings,
            c,
            today=day,
            mapping=mapping,
            encoding=encoding,
            environ=environ,
            progress=progress,
            registers=registers,
        )
        try:
            run.total = sum(path.stat().st_size for path, _ in todo)
            for index, (path, item) in enumerate(todo):
                run.load_file(index, path, item)
            progress("checking keys", 0, 0)
            loaded = [item for _, item in todo]
            run.dedupe(loaded)
            quarantined = sum(i.rows_quarantined for i in loaded)
            if strict and quarantined:
                _refuse(quarantined)
            report.quarantine_file = run.quarantine.commit()
            report.batch_id = run.batch.batch_id
            run.batch.commit(
                {
                    "committed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "contract_version": c.version,
                    "rows_loaded": sum(i.rows_loaded for i in loaded),
                    "rows_quarantined": quarantined,
                    "quarantine_file": report.quarantine_file,
                    "files": [i.as_dict() for i in loaded],
                    "seconds": round(time.perf_counter() - started, 2),
                }
            )
        except BaseException:
            run.batch.abort()
            run.quarantine.abort()
            raise
    report.seconds = time.perf_counter() - started
    return report
