"""What a load reads besides the feed files: the file list, hashes, the register, a code mapping;
and what it writes besides the lake: the batch's quarantine file."""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import polars as pl
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.errors import InputFileError, UserError
from icsys.reference.register import code_intervals

SUFFIXES = {".csv", ".txt", ".parquet", ".pq"}
QUARANTINE_COLUMNS = ["file", "line", "column", "value", "reason"]


def discover(paths: Iterable[Path]) -> list[Path]:
    """The given files, and the data files directly inside given folders, in name order."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputFileError("no such file or folder", path=str(path))
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        else:
            found.append(path)
    if not found:
        raise InputFileError(
            "no feed files (.csv or .parquet) found", path=", ".join(map(str, paths))
        )
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def register_intervals(engine: Engine, levels: tuple[str, ...], column: str) -> pl.DataFrame:
    """Codes of ``levels`` with the intervals they are in force in: code, valid_from, valid_to."""
    rows = [
        (code, start, end)
        for level in levels
        for code, spans in code_intervals(engine, level).items()
        for start, end in spans
    ]
    if not rows:
        raise UserError(
            f"the structure register has no {' or '.join(levels)} codes to check column {column!r} "
            "against: run `icsys reference load` (or `icsys demo`) first"
        )
    return pl.DataFrame(
        rows, schema={"code": pl.String, "valid_from": pl.Date, "valid_to": pl.Date}, orient="row"
    )


def read_mapping(path: Path) -> pl.DataFrame:
    """A code → cluster mapping file: CSV with columns code_system (snomed|icd10), code, cluster."""
    from icsys.feeds.codes import CLUSTERS  # noqa: PLC0415

    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise InputFileError(f"cannot read the mapping file: {exc}", path=str(path)) from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    need = {"code_system", "code", "cluster"}
    if not need <= set(frame.columns):
        raise InputFileError(
            "the mapping file needs columns code_system, code, cluster", path=str(path), line=1
        )
    frame = frame.select(pl.col(c).str.strip_chars() for c in ("code_system", "code", "cluster"))
    frame = frame.with_columns(pl.col("code_system").str.to_lowercase())
    unknown = frame.filter(~pl.col("cluster").is_in(list(CLUSTERS)))
    if not unknown.is_empty():
        raise InputFileError(
            f"unknown cluster {unknown['cluster'][0]!r}",
            path=str(path),
            expected=", ".join(CLUSTERS),
        )
    return frame.unique(subset=["code_system", "code"], keep="first")


class QuarantineFile:
    """``quarantine/feeds/<feed>/<batch>.csv``, written as the load goes, kept only on commit."""

    def __init__(self, settings: Settings, feed: str, batch_id: str) -> None:
        self.folder = settings.quarantine_dir / "feeds" / feed
        self.target = self.folder / f"{batch_id}.csv"
        self.tmp = self.folder / f".{batch_id}.csv.tmp"
        self.rows = 0
        self._fh: TextIO | None = None

    def add(self, file: str, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        if self._fh is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._fh = self.tmp.open("w", newline="", encoding="utf-8")
            csv.writer(self._fh).writerow(QUARANTINE_COLUMNS)
        out = frame.select(
            pl.lit(file).alias("file"), "line", "column", pl.col("value").fill_null(""), "reason"
        )
        out.write_csv(self._fh, include_header=False)
        self.rows += frame.height

    def commit(self) -> str | None:
        if self._fh is None:
            return None
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        self.tmp.replace(self.target)
        return str(self.target)

    def abort(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.tmp.unlink(missing_ok=True)
