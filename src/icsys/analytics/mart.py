"""The ``indicator_values`` mart: Parquet written aside, then made current atomically.

``<home>/marts/indicator_values/run=<run_id>/values/`` holds one run's analyst rows and
``public/`` its public view, each a folder of Parquet parts (one per indicator, written by the
process that computed it; readers read a folder as one table); ``_manifest.json``
beside it names the current run with the definitions' version, the engine, the structure date,
the periods and the lineage (the lake batches of every feed read). A run is written under
``.staging-<id>``, fsynced and renamed before the manifest is replaced, so a reader never sees a
half-written run and an interrupted run leaves the previous one current. The two latest runs
are kept.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.parquet as pq

from icsys.config import Settings
from icsys.errors import NotFoundError
from icsys.feeds.lake import new_batch_id, read_manifest, write_json_atomic

MART = "indicator_values"
MANIFEST = "_manifest.json"
KEEP_RUNS = 2

SCHEMA = pa.schema(
    [
        ("indicator_id", pa.string()),
        ("level", pa.string()),
        ("area_code", pa.string()),
        ("parent_code", pa.string()),
        ("period_type", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("breakdown", pa.string()),
        ("breakdown_value", pa.string()),
        ("category", pa.string()),
        ("value", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("lower", pa.float64()),
        ("upper", pa.float64()),
        ("method", pa.string()),
        ("spc_point_type", pa.string()),
        ("disclosure", pa.string()),
        ("definitions_version", pa.string()),
        ("run_id", pa.string()),
    ]
)
"""The mart's columns. ``disclosure`` is empty in the analyst mart; the public view sets it to
``suppressed`` (primary), ``secondary`` or ``rounded``."""

TEXT = pa.dictionary(pa.int32(), pa.string())
WRITE_SCHEMA = pa.schema(
    [pa.field(f.name, TEXT if f.type == pa.string() else f.type) for f in SCHEMA]
)
""":data:`SCHEMA` with its text columns dictionary-encoded, as parts are built and written: the
Parquet writer stores the dictionaries as they are (no strings to build, hash or pickle between
processes), and without the Arrow schema in the file readers see plain text columns."""


FILTERED = ["indicator_id", "level", "area_code", "breakdown"]
"""The columns readers filter on (``service.values``, the portal): the only ones given
min/max statistics in the Parquet parts, so that a filter skips whole files and row groups.
Statistics of every column cost a fifth of the write."""


DICTIONARY = [f.name for f in WRITE_SCHEMA if f.type == TEXT]
"""The columns stored with a dictionary: the text ones (the writer would try one for every
float and date column too, and give it up: 6 % of the write)."""


def mart_dir(settings: Settings) -> Path:
    return settings.home / "marts" / MART


def lineage(settings: Settings, feeds: list[str]) -> dict[str, list[str]]:
    """The committed lake batches of each feed (what a run read)."""
    return {f: [b["batch_id"] for b in read_manifest(settings, f)["batches"]] for f in feeds}


def write_mart(
    settings: Settings, frame: pd.DataFrame, public: pd.DataFrame, manifest: dict[str, Any]
) -> str:
    """Write a run (analyst rows and the public view) and make it current; returns its id."""
    with MartWriter(settings, manifest["definitions_version"]) as writer:
        writer.write(frame, public)
        return writer.commit(manifest)


VIEWS = ("values", "public")


def view_path(run: Path, name: str) -> Path:
    """The Parquet of one view (``values`` or ``public``) of a run folder: its folder of
    parts, or the single file runs written before parts had."""
    folder = run / name
    return folder if folder.is_dir() else run / f"{name}.parquet"


def write_part(staging: Path, number: int, values: pa.Table, public: pa.Table) -> int:
    """Write part ``number`` of each view of a run being written (tables from
    :func:`arrow_tables`); returns its rows."""
    for name, table in zip(VIEWS, (values, public), strict=True):
        path = staging / name / f"part-{number:05d}.parquet"
        pq.write_table(
            table,
            path,
            compression="zstd",
            store_schema=False,
            write_statistics=FILTERED,
            use_dictionary=DICTIONARY,
        )
    return int(values.num_rows)


class MartWriter:
    """Writes a run part by part under a staging folder; :meth:`commit` makes it current.
    Leaving the ``with`` block without committing (an error, an interrupted run) removes the
    staging folder: the previous run stays. Parts may be written by other processes
    (:func:`write_part` with :meth:`next_part`'s number; :meth:`add` counts their rows)."""

    def __init__(self, settings: Settings, definitions_version: str) -> None:
        self.settings = settings
        self.base = mart_dir(settings)
        self.base.mkdir(parents=True, exist_ok=True)
        self.run_id = new_batch_id()
        self.version = definitions_version
        self.staging = self.base / f".staging-{self.run_id}"
        for name in VIEWS:
            (self.staging / name).mkdir(parents=True)
        self.rows = 0
        self._parts = 0
        self._committed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        if not self._committed:
            shutil.rmtree(self.staging, ignore_errors=True)

    @property
    def stamp(self) -> dict[str, str]:
        """The columns every row of this run has (:func:`arrow_tables`' ``stamp``)."""
        return {"definitions_version": self.version, "run_id": self.run_id}

    def next_part(self) -> int:
        """The number of the next part (parts are read in this order)."""
        self._parts += 1
        return self._parts - 1

    def add(self, rows: int) -> None:
        """Count the rows of a part written elsewhere."""
        self.rows += rows

    def write(self, frame: pd.DataFrame, public: pd.DataFrame) -> None:
        """Append analyst rows and their public view."""
        self.write_tables(*arrow_tables(frame, public, self.stamp))

    def write_tables(self, values: pa.Table, public: pa.Table) -> None:
        """Append analyst rows and their public view made by :func:`arrow_tables`."""
        self.add(write_part(self.staging, self.next_part(), values, public))

    def commit(self, manifest: dict[str, Any]) -> str:
        """Fsync the parts, make the run current and keep the latest runs."""
        for name in VIEWS:
            for path in sorted((self.staging / name).iterdir()):
                with path.open("rb") as fh:
                    os.fsync(fh.fileno())
        final = self.base / f"run={self.run_id}"
        self.staging.rename(final)
        self._committed = True
        old = read_current(self.settings, missing_ok=True)
        runs = [*(old or {}).get("runs", []), self.run_id][-KEEP_RUNS:]
        write_json_atomic(
            self.base / MANIFEST,
            {
                **manifest,
                "run_id": self.run_id,
                "rows": self.rows,
                "runs": runs,
                "written_at": datetime.now(UTC).isoformat(),
            },
        )
        for child in self.base.iterdir():
            if child.is_dir() and child.name.removeprefix("run=") not in runs:
                shutil.rmtree(child, ignore_errors=True)
        return self.run_id


def arrow_tables(
    frame: pd.DataFrame, public: pd.DataFrame, stamp: dict[str, str]
) -> tuple[pa.Table, pa.Table]:
    """Analyst rows and their public view as tables of :data:`WRITE_SCHEMA` (``stamp``: the run's
    id and definitions' version), ready for :meth:`MartWriter.write_tables`."""
    return arrow_rows(frame, {**stamp, "disclosure": ""}), arrow_rows(public, stamp)


def arrow_rows(frame: pd.DataFrame, constants: dict[str, str]) -> pa.Table:
    """``frame`` as a table of :data:`WRITE_SCHEMA`, ``constants`` filling whole columns:
    built column by column (categoricals through their codes), without copying the frame."""
    n = len(frame)
    arrays = []
    for field in WRITE_SCHEMA:
        if field.name in constants:
            text = pa.array([constants[field.name]], pa.string())
            arrays.append(_from_codes(np.zeros(n, dtype=np.int32), text))
            continue
        column = frame[field.name]
        if field.name in PERIOD_DATES and column.dtype == object:
            arrays.append(_period_dates(frame, field.name))
        elif field.type != TEXT:
            arrays.append(pa.array(column.to_numpy(), field.type, from_pandas=True))
        elif isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            text = pa.array(column.cat.categories.to_numpy(dtype=object), pa.string())
            arrays.append(_from_codes(codes, text))
        else:
            plain = pa.array(column.to_numpy(), pa.string(), from_pandas=True)
            arrays.append(plain.dictionary_encode().cast(TEXT))
    return pa.Table.from_arrays(arrays, schema=WRITE_SCHEMA)


PERIOD_DATES = ("period_start", "period_end")
"""Columns set by the period alone: one date per period label."""


def _period_dates(frame: pd.DataFrame, name: str) -> pa.Array:
    """A date column of :data:`PERIOD_DATES` as date32, converting one date per period rather
    than one per row (building dates from Python objects was most of the table's cost) when
    the periods are categorical; row by row otherwise."""
    period = frame["period"]
    if not isinstance(period.dtype, pd.CategoricalDtype):
        return pa.array(frame[name].to_numpy(), pa.date32(), from_pandas=True)
    codes = period.cat.codes.to_numpy()
    first = np.full(len(period.cat.categories) + 1, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # each period's first row
    present = first[:-1] >= 0
    days = frame[name].to_numpy()[first[:-1][present]]
    lookup = np.full(len(first), -1, dtype=np.int64)  # the last: a missing period's (code -1)
    lookup[:-1][present] = np.arange(int(present.sum()))
    dates = pa.array(days, pa.date32(), from_pandas=True)
    index = lookup[codes]
    return dates.take(pa.array(index, mask=index < 0))


def _from_codes(codes: np.ndarray[Any, Any], text: pa.Array) -> pa.Array:
    """Dictionary-encoded text from codes (-1: missing)."""
    indices = pa.array(codes.astype(np.int32, copy=False), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, text)


def read_current(settings: Settings, *, missing_ok: bool = False) -> dict[str, Any] | None:
    """The manifest of the current run (``None`` when there is none and ``missing_ok``).

    Raises:
        NotFoundError: when nothing has been computed yet.
    """
    import json  # noqa: PLC0415

    path = mart_dir(settings) / MANIFEST
    if not path.exists():
        if missing_ok:
            return None
        raise NotFoundError("no indicator values yet: run `icsys indicators compute` first")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def read_values(
    settings: Settings,
    filters: list[tuple[str, str, Any]] | None = None,
    *,
    public: bool = True,
) -> pd.DataFrame:
    """The current run's rows: the public view, or the analyst rows (``public=False``);
    ``filters`` as pyarrow's ``[(column, op, value)]``."""
    manifest = read_current(settings)
    assert manifest is not None  # noqa: S101 - read_current raises otherwise
    run = mart_dir(settings) / f"run={manifest['run_id']}"
    table = pq.read_table(view_path(run, "public" if public else "values"), filters=filters or None)
    return table.to_pandas()


def as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
