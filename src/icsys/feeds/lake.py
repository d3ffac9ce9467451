"""The Parquet lake: batches written aside, then committed atomically; readers see only those.

Layout: ``<home>/lake/<feed>/batch=<id>/[year=<YYYY>/]part-<n>.parquet`` and
``<home>/lake/<feed>/_manifest.json``, the list of committed batches. A batch is written under
``.staging-<id>``, its files fsynced, the folder renamed to ``batch=<id>``, then the manifest is
replaced (write, fsync, rename). Until that last rename the batch does not exist for readers; a
load killed at any point leaves the previous manifest, and the next load removes the leftovers.
Readers use :func:`committed_files` or :func:`duckdb_source`, never a glob.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from icsys.config import Settings
from icsys.feeds.contracts import LAKE_TYPES, ColType, Contract

MANIFEST = "_manifest.json"
PART_ROWS = 4_000_000
LINEAGE = [("source_file", pa.int32()), ("source_line", pa.int64())]
_ARROW = {
    "string": pa.string(),
    "date32": pa.date32(),
    "timestamp[us]": pa.timestamp("us"),
    "int64": pa.int64(),
    "float64": pa.float64(),
}


def schema(contract: Contract) -> pa.Schema:
    """The lake schema of a feed: the contract's columns, derived columns, then lineage."""
    fields = [pa.field(c.name, _ARROW[LAKE_TYPES[c.type]]) for c in contract.columns]
    fields += [pa.field(d.name, pa.string()) for d in contract.derived]
    return pa.schema([*fields, *(pa.field(n, t) for n, t in LINEAGE)])


def write_options(contract: Contract) -> dict[str, Any]:
    """Parquet writer options: zstd; dictionaries for code columns only (ids and pseudonyms are
    near unique, so a dictionary is wasted work); statistics for the non-text columns (dates,
    numbers, lineage: what readers filter on)."""
    codes = [c.name for c in contract.columns if c.type is ColType.CODE]
    codes += [d.name for d in contract.derived]
    stats = [f.name for f in schema(contract) if not pa.types.is_string(f.type)]
    return {
        "compression": "zstd",
        "compression_level": 1,
        "use_dictionary": codes or False,
        "write_statistics": stats or False,
    }


def feed_dir(settings: Settings, feed: str) -> Path:
    return settings.lake_dir / feed


def read_manifest(settings: Settings, feed: str) -> dict[str, Any]:
    path = feed_dir(settings, feed) / MANIFEST
    if not path.exists():
        return {"feed": feed, "batches": []}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def committed_files(settings: Settings, feed: str) -> list[Path]:
    """The Parquet files of every committed batch of ``feed`` (the only files readers may read)."""
    base = feed_dir(settings, feed)
    return [
        base / part for batch in read_manifest(settings, feed)["batches"] for part in batch["parts"]
    ]


def duckdb_source(settings: Settings, feed: str) -> str:
    """A DuckDB table expression over the committed files (an empty one when nothing is loaded)."""
    files = committed_files(settings, feed)
    if not files:
        return "(SELECT * FROM (SELECT 1) WHERE false)"
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{listed}], union_by_name = true)"


def loaded_hashes(settings: Settings, feed: str) -> set[str]:
    return {f["sha256"] for b in read_manifest(settings, feed)["batches"] for f in b["files"]}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    _fsync_dir(path.parent)


@contextlib.contextmanager
def feed_lock(settings: Settings, feed: str) -> Iterator[None]:
    """One load of a feed at a time; leftovers of interrupted loads are removed on entry."""
    base = feed_dir(settings, feed)
    base.mkdir(parents=True, exist_ok=True)
    with (base / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            _clean(settings, feed)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean(settings: Settings, feed: str) -> None:
    base = feed_dir(settings, feed)
    live = {f"batch={b['batch_id']}" for b in read_manifest(settings, feed)["batches"]}
    for child in base.iterdir():
        if child.is_dir() and (
            child.name.startswith(".staging-")
            or (child.name.startswith("batch=") and child.name not in live)
        ):
            shutil.rmtree(child, ignore_errors=True)


def new_batch_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


@dataclass
class StagedBatch:
    """A batch being written: Parquet parts under ``.staging-<id>`` until :meth:`commit`."""

    settings: Settings
    contract: Contract
    batch_id: str
    parts: list[str] = field(default_factory=list)
    rows: int = 0
    _writers: dict[str, tuple[pq.ParquetWriter, str, int]] = field(default_factory=dict)
    _pool: ThreadPoolExecutor | None = None
    _pending: Future[None] | None = None

    @property
    def staging(self) -> Path:
        return feed_dir(self.settings, self.contract.name) / f".staging-{self.batch_id}"

    @property
    def final(self) -> Path:
        return feed_dir(self.settings, self.contract.name) / f"batch={self.batch_id}"

    def write(self, frame: pl.DataFrame, file_index: int) -> None:
        """Write ``frame`` in a thread (one write in flight; its error is raised by the next
        call or by :meth:`close`)."""
        if frame.is_empty():
            return
        self.rows += frame.height
        self._wait()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="icsys-write")
        self._pending = self._pool.submit(self._write_frame, frame, file_index)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _write_frame(self, frame: pl.DataFrame, file_index: int) -> None:
        frame = frame.with_columns(pl.lit(file_index, pl.Int32).alias("source_file"))
        c = self.contract
        if c.partition_year and c.event_date:
            frame = frame.with_columns(pl.col(c.event_date).dt.year().alias("_year"))
            for (year,), part in frame.partition_by(
                "_year", as_dict=True, maintain_order=True
            ).items():
                self._write(f"year={year}", part.drop("_year"))
        else:
            self._write("", frame)

    def _write(self, folder: str, frame: pl.DataFrame) -> None:
        table = frame.to_arrow().select(schema(self.contract).names).cast(schema(self.contract))
        writer, rel, rows = self._writers.get(folder, (None, "", 0))
        if writer is None or rows >= PART_ROWS:
            if writer is not None:
                writer.close()
            rel = str(Path(folder) / f"part-{len(self.parts):05d}.parquet")
            path = self.staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(path, schema(self.contract), **write_options(self.contract))
            self.parts.append(rel)
            rows = 0
        writer.write_table(table, row_group_size=1 << 20)
        self._writers[folder] = (writer, rel, rows + table.num_rows)

    def close(self) -> list[Path]:
        self._wait()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        for writer, _rel, _rows in self._writers.values():
            writer.close()
        self._writers.clear()
        return [self.staging / p for p in self.parts]

    def commit(self, entry: dict[str, Any]) -> None:
        """Make the batch visible: fsync its files, rename its folder, replace the manifest."""
        self.close()
        self.staging.mkdir(parents=True, exist_ok=True)
        for rel in self.parts:
            with (self.staging / rel).open("rb") as fh:
                os.fsync(fh.fileno())
        entry = {
            **entry,
            "batch_id": self.batch_id,
            "parts": [f"batch={self.batch_id}/{p}" for p in self.parts],
        }
        write_json_atomic(self.staging / "_batch.json", entry)
        for folder in {self.staging / Path(p).parent for p in self.parts} | {self.staging}:
            _fsync_dir(folder)
        self.staging.rename(self.final)
        _fsync_dir(self.final.parent)
        manifest = read_manifest(self.settings, self.contract.name)
        manifest["feed"] = self.contract.name
        manifest["batches"] = [*manifest["batches"], entry]
        write_json_atomic(feed_dir(self.settings, self.contract.name) / MANIFEST, manifest)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._wait()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        for writer, _rel, _rows in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self._writers.clear()
        shutil.rmtree(self.staging, ignore_errors=True)
