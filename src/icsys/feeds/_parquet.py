"""Reading a Parquet feed file in record batches, each column read as its schema allows.

How a column is read is decided once, from the file's schema and the contract's type:

* text (string, large string, string view; a dictionary of them) is read as text and goes
  through the same parser as a CSV file;
* the lake's type, or one that converts to it exactly, is kept typed and only checked: dates
  (date32, date64) for date and month columns; timestamps of any unit for timestamp columns
  (digits below a microsecond dropped; a timestamp with a time zone becomes the wall-clock time
  in England, as the lake's times are local); integers for whole numbers; integers and floats
  for numbers. A value that does not convert exactly (an integer too large) is read as text;
* another type with a text form (a boolean, a decimal, a timestamp for a date column) is read
  as text, so the parser gives the reason per value, as it would for the same text in a CSV;
* a type without one (a list, a struct, a map) is a problem of the file: every row is
  quarantined, with the column, its type and what the contract expects.

A row's "line" is its row number (1-based).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from icsys.errors import InputFileError
from icsys.feeds._read import Chunk, no_problems, normalise
from icsys.feeds.contracts import ColType

ENGLAND = "Europe/London"
Reader = Callable[[pa.Array], pa.Array]
_LAKE = {
    ColType.DATE: pa.date32(),
    ColType.DATE_OR_MONTH: pa.date32(),
    ColType.MONTH: pa.date32(),
    ColType.TIMESTAMP: pa.timestamp("us"),
    ColType.INT: pa.int64(),
    ColType.FLOAT: pa.float64(),
}
_ACCEPTS: dict[ColType, Callable[[pa.DataType], bool]] = {
    ColType.DATE: pa.types.is_date,
    ColType.DATE_OR_MONTH: pa.types.is_date,
    ColType.MONTH: pa.types.is_date,
    ColType.TIMESTAMP: pa.types.is_timestamp,
    ColType.INT: pa.types.is_integer,
    ColType.FLOAT: lambda t: pa.types.is_integer(t) or pa.types.is_floating(t),
}
_EXPECTED = {
    ColType.DATE: "a date or text",
    ColType.DATE_OR_MONTH: "a date or text",
    ColType.MONTH: "a date or text",
    ColType.TIMESTAMP: "a timestamp or text",
    ColType.INT: "an integer or text",
    ColType.FLOAT: "a number or text",
}


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _has_text_form(t: pa.DataType) -> bool:
    if pa.types.is_nested(t):
        return False
    try:
        pc.cast(pa.array([], type=t), pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return False
    return True


def _decoded(array: pa.Array) -> pa.Array:
    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def _as_text(array: pa.Array) -> pa.Array:
    return pc.cast(_decoded(array), pa.string())


def _as_timestamp(array: pa.Array) -> pa.Array:
    array = _decoded(array)
    zone = array.type.tz
    if zone is not None:
        array = pc.local_timestamp(array.cast(pa.timestamp(array.type.unit, ENGLAND)))
    return array.cast(pa.timestamp("us"), safe=False)


def _exact(target: pa.DataType) -> Reader:
    def read(array: pa.Array) -> pa.Array:
        array = _decoded(array)
        try:
            return array.cast(target)  # a safe cast: an overflow is read as text instead
        except pa.ArrowInvalid:
            return pc.cast(array, pa.string())

    return read


def reader(t: pa.DataType, kind: ColType | None) -> Reader | None:
    """How to read a column of Parquet type ``t`` for a contract column of type ``kind``
    (None: it cannot be read)."""
    value = t.value_type if pa.types.is_dictionary(t) else t
    if _is_text(value):
        return _as_text
    accepts = _ACCEPTS.get(kind) if kind else None
    if kind and accepts and accepts(value):
        return _as_timestamp if kind is ColType.TIMESTAMP else _exact(_LAKE[kind])
    return _as_text if _has_text_form(value) else None


class ParquetSource:
    """One Parquet file: its columns, then record batches (see the module)."""

    def __init__(self, path: Path, *, batch_rows: int = 1 << 20) -> None:
        self.path = path
        self.batch_rows = batch_rows
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputFileError(f"not a Parquet file: {exc}", path=str(path)) from None
        schema = self._file.schema_arrow
        self._names = {normalise(n, i): n for i, n in enumerate(schema.names)}
        self._types = {normalise(n, i): schema.field(n).type for i, n in enumerate(schema.names)}
        self.header = list(self._names)
        self.file_problem: str | None = None
        rows = max(self._file.metadata.num_rows, 1)
        self._bytes_per_row = path.stat().st_size // rows

    def type_problem(self, columns: list[str], types: Mapping[str, ColType]) -> str | None:
        """The first of ``columns`` whose Parquet type cannot be read as its contract type."""
        for name in columns:
            kind, found = types.get(name), self._types[name]
            if reader(found, kind) is None:
                expected = _EXPECTED.get(kind, "text") if kind else "text"
                return f"column {name} is {found} in the Parquet schema: expected {expected}"
        return None

    def chunks(
        self, columns: list[str], types: Mapping[str, ColType] | None = None
    ) -> Iterator[Chunk]:
        """Chunks of ``columns``, each read as its type allows (a column that cannot be read,
        a problem of the file, is null)."""
        wanted = types or {}
        readers = [reader(self._types[c], wanted.get(c)) for c in columns]
        line = 1
        source = [self._names[c] for c in columns]
        for batch in self._file.iter_batches(batch_size=self.batch_rows, columns=source):
            arrays = [
                read(col) if read else pa.nulls(batch.num_rows, pa.string())
                for read, col in zip(readers, batch.columns, strict=True)
            ]
            frame = pl.from_arrow(pa.table(arrays, names=columns))
            assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a table gives a frame
            frame = frame.with_columns(
                pl.int_range(line, line + batch.num_rows, dtype=pl.Int64).alias("_line")
            )
            line += batch.num_rows
            yield Chunk(frame, no_problems(), batch.num_rows, self._bytes_per_row * batch.num_rows)
