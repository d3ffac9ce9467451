"""Streaming a feed file as chunks of columns, each row with its line number.

CSV files are read in blocks of whole lines, as text. A block is first tried on the fast path:
if it is valid UTF-8, has no blank line, every quote sits at the edge of a field, and PyArrow's
multithreaded parser finds exactly one row of the header's width per line, the rows are the
lines in order. Otherwise the block is split into small pieces, each tried again, and a piece
that still fails is checked line by line with NumPy (field counts, blank lines, quotes) and for
UTF-8 before PyArrow parses its good lines, so a malformed line (too few or too many fields, a
truncated last line, bytes that are not UTF-8, unbalanced quotes) becomes a quarantined row with
its line number instead of stopping the load, and memory stays bounded by the block size however
large the file. Values may not contain line breaks (the contracts say so), which is what lets a
line be a row. Parquet files are read by :mod:`icsys.feeds._parquet`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from icsys.errors import InputFileError
from icsys.feeds.contracts import ColType

if TYPE_CHECKING:
    from icsys.feeds._parquet import ParquetSource

PROBLEMS = {"line": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}
FILE = "(file)"
ROW = "(row)"
BLOCK_BYTES = 64 << 20
PIECE_BYTES = 1 << 20  # a block that fails the fast path is retried in pieces of this size
QUOTE, COMMA, NEWLINE, RETURN = 34, 44, 10, 13
NOT_UTF8 = "bytes that are not valid UTF-8 (re-save the file as UTF-8, or pass --encoding)"


def problems(lines: pl.Series | list[int], column: str, value: str, reason: str) -> pl.DataFrame:
    frame = pl.DataFrame({"line": pl.Series(lines, dtype=pl.Int64)})
    return frame.with_columns(
        pl.lit(column).alias("column"), pl.lit(value).alias("value"), pl.lit(reason).alias("reason")
    )


def no_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEMS)


@dataclass
class Chunk:
    frame: pl.DataFrame  # text columns named as in the header (trimmed, lower case) + _line
    problems: pl.DataFrame  # rows rejected while reading: line, column, value, reason
    rows: int  # data rows in the chunk (good + rejected; blank lines are not rows)
    nbytes: int = 0  # bytes of the file the chunk covers (for progress)


def normalise(name: str, index: int) -> str:
    name = name.strip().lower()
    return name or f"_unnamed_{index}"


def _delimiter_problem(first_line: str) -> str | None:
    if "," in first_line:
        return None
    for name, char in (("tab", "\t"), ("semicolon", ";"), ("pipe", "|")):
        if char in first_line:
            return f"the file is {name}-separated (expected comma-separated values)"
    return None


def _plain(block: bytes) -> bool:
    """Valid UTF-8, no blank line, and quotes (if any) only at the edges of fields."""
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    blank = (
        block.startswith((b"\n", b"\r\n"))
        or block.endswith(b"\n\r")
        or b"\n\n" in block
        or b"\n\r\n" in block
    )
    return not blank and (b'"' not in block or _quotes_at_field_edges(block))


def _quotes_at_field_edges(block: bytes, step: int = 1 << 18) -> bool:
    """Whether every quote opens a field (after a comma or line start) or closes one (before a
    comma or line end), with an even number in all: no quote the two parsers might read apart.

    Checked in pieces of ``step`` bytes, which stay in the CPU cache (25 times faster than
    whole-block NumPy operations)."""
    arr = np.frombuffer(block, dtype=np.uint8)
    n = len(arr)
    quotes = 0
    for start in range(0, n, step):
        first, last = start == 0, start + step >= n
        a = arr[start - (not first) : min(start + step + 1, n)]
        q = a == QUOTE
        quotes += int(np.count_nonzero(q[(not first) : len(a) - (not last)]))
        edge = (a == COMMA) | (a == NEWLINE)
        # the first and last bytes of the block always open or close; pieces overlap by one
        if (q[1:-1] & ~edge[:-2] & ~(edge[2:] | (a[2:] == RETURN))).any():
            return False
    return quotes % 2 == 0


class CsvSource:
    """One CSV file: its header, then chunks of rows."""

    def __init__(
        self, path: Path, *, encoding: str = "utf-8", block_bytes: int = BLOCK_BYTES
    ) -> None:
        self.path = path
        self.encoding = encoding.lower().replace("-", "").replace("_", "")
        self.block_bytes = block_bytes
        with path.open("rb") as fh:
            first = fh.readline()
        self._header_bytes = len(first)
        text = self._decode_header(first)
        self.file_problem = _delimiter_problem(text)
        names = next(csv.reader([text])) if text.strip() else []
        self.header = [normalise(n, i) for i, n in enumerate(names)]
        if not self.header:
            raise InputFileError(
                "the file is empty", path=str(path), line=1, expected="a header row"
            )
        if len(set(self.header)) != len(self.header):
            dupes = sorted({h for h in self.header if self.header.count(h) > 1})
            self.file_problem = f"the header repeats column(s) {', '.join(dupes)}"

    def _decode_header(self, first: bytes) -> str:
        try:
            if self.encoding in {"utf8", "utf8sig"}:
                return first.decode("utf-8-sig").rstrip("\r\n")
            return first.decode(self.encoding).rstrip("\r\n")
        except UnicodeDecodeError:
            raise InputFileError(
                "the header row is not valid text", path=str(self.path), line=1, expected=NOT_UTF8
            ) from None
        except LookupError:
            raise InputFileError(
                f"unknown encoding {self.encoding!r}", path=str(self.path)
            ) from None

    def _blocks(self) -> Iterator[tuple[bytes, bool]]:
        with self.path.open("rb") as fh:
            fh.seek(self._header_bytes)
            carry = b""
            while True:
                data = fh.read(self.block_bytes)
                if not data:
                    if carry:
                        yield carry, True
                    return
                data = carry + data
                cut = data.rfind(b"\n")
                if cut < 0:
                    carry = data
                    continue
                carry = data[cut + 1 :]
                yield data[: cut + 1], False

    def type_problem(self, columns: list[str], types: Mapping[str, ColType]) -> str | None:
        """None: every column of a CSV file is text."""
        del columns, types
        return None

    def chunks(
        self, columns: list[str], types: Mapping[str, ColType] | None = None
    ) -> Iterator[Chunk]:
        """Chunks holding ``columns`` (those of the header that the contract reads), as text."""
        del types  # CSV is text
        line = 2
        for block, last in self._blocks():
            raw = block if self.encoding in {"utf8", "utf8sig"} else self._transcode(block)
            chunk, lines = self._split_chunk(raw, line, columns, last=last, nbytes=len(block))
            line += lines
            yield chunk

    def _split_chunk(
        self, block: bytes, first_line: int, columns: list[str], *, last: bool, nbytes: int
    ) -> tuple[Chunk, int]:
        """The fast path for the whole block, else for pieces of it, else line by line."""
        fast = self._fast(block, first_line, columns)
        if fast is not None:
            return Chunk(fast, no_problems(), fast.height, nbytes), fast.height
        if len(block) <= PIECE_BYTES:
            chunk, lines = self._chunk(block, first_line, columns, last=last)
            chunk.nbytes = nbytes
            return chunk, lines
        frames, found, rows, line, start = [], [], 0, first_line, 0
        while start < len(block):
            cut = block.find(b"\n", min(start + PIECE_BYTES, len(block)) - 1)
            end = len(block) if cut < 0 else cut + 1
            piece, final = block[start:end], end >= len(block)
            chunk, lines = self._split_chunk(
                piece, line, columns, last=last and final, nbytes=len(piece)
            )
            frames.append(chunk.frame)
            found.append(chunk.problems)
            rows += chunk.rows
            line += lines
            start = end
        frame = pl.concat(frames, how="vertical_relaxed")
        return Chunk(frame, pl.concat(found), rows, nbytes), line - first_line

    def _fast(self, block: bytes, first_line: int, columns: list[str]) -> pl.DataFrame | None:
        """The block's rows when every line is a well-formed row, else None (see the module)."""
        if self.file_problem or not _plain(block):
            return None
        lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        invalid: list[int] = []

        def skip(_row: object) -> str:
            invalid.append(1)
            return "skip"

        try:
            table = pa_csv.read_csv(
                io.BytesIO(block),
                read_options=pa_csv.ReadOptions(column_names=self.header, block_size=8 << 20),
                parse_options=pa_csv.ParseOptions(
                    newlines_in_values=False, ignore_empty_lines=False, invalid_row_handler=skip
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(columns, pa.string()),
                    include_columns=columns,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowException):
            return None
        if invalid or table.num_rows != lines:
            return None
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a table gives a frame
        return frame.with_columns(
            pl.int_range(first_line, first_line + lines, dtype=pl.Int64).alias("_line")
        )

    def _transcode(self, block: bytes) -> bytes:
        return block.decode(self.encoding, errors="replace").encode("utf-8")

    def _chunk(
        self, block: bytes, first_line: int, columns: list[str], *, last: bool
    ) -> tuple[Chunk, int]:
        arr = np.frombuffer(block, dtype=np.uint8)
        newlines = np.flatnonzero(arr == 10)
        ends = newlines if block.endswith(b"\n") else np.append(newlines, len(block))
        starts = np.concatenate(([0], ends[:-1] + 1))
        content_end = ends - ((ends > starts) & (arr[np.maximum(ends - 1, 0)] == 13))
        blank = content_end == starts
        fields = (
            np.bincount(np.searchsorted(ends, np.flatnonzero(arr == 44)), minlength=len(starts)) + 1
        )
        quoted = (
            np.bincount(np.searchsorted(ends, np.flatnonzero(arr == 34)), minlength=len(starts)) > 0
        )
        numbers = np.arange(first_line, first_line + len(starts), dtype=np.int64)
        expected = len(self.header)
        bad_reason: dict[int, str] = {}
        for i in np.flatnonzero(quoted & ~blank).tolist():
            text = block[starts[i] : content_end[i]].decode("utf-8", errors="replace")
            try:
                parsed = next(csv.reader([text], strict=True))
            except csv.Error:
                bad_reason[i] = "unbalanced quotes in the line (values may not contain line breaks)"
                continue
            fields[i] = len(parsed)
        for i in np.flatnonzero(~blank & (fields != expected)).tolist():
            if i not in bad_reason:
                truncated = (
                    last
                    and i == len(starts) - 1
                    and not block.endswith(b"\n")
                    and fields[i] < expected
                )
                what = "truncated last line: " if truncated else ""
                bad_reason[i] = f"{what}the line has {fields[i]} fields; the header has {expected}"
        for i in self._not_utf8(block, starts):
            bad_reason.setdefault(i, NOT_UTF8)
        good = ~blank
        if self.file_problem:
            good[:] = False
            bad_reason = dict.fromkeys(np.flatnonzero(~blank).tolist(), self.file_problem)
        for i in bad_reason:
            good[i] = False
        rows = int((~blank).sum())
        rejected = pl.DataFrame(
            {
                "line": pl.Series([int(numbers[i]) for i in sorted(bad_reason)], dtype=pl.Int64),
                "column": pl.Series(
                    [FILE if self.file_problem else ROW] * len(bad_reason), dtype=pl.String
                ),
                "value": pl.Series(["(not shown)"] * len(bad_reason), dtype=pl.String),
                "reason": pl.Series([bad_reason[i] for i in sorted(bad_reason)], dtype=pl.String),
            }
        )
        frame = self._parse(block, arr, starts, ends, good, blank, columns)
        if frame.height != int(good.sum()):
            raise InputFileError(
                "the CSV parser and the line checker disagree on the rows of a block",
                path=str(self.path),
                line=first_line,
                expected="one row per line",
            )
        frame = frame.with_columns(pl.Series("_line", numbers[good], dtype=pl.Int64))
        return Chunk(frame, rejected, rows, len(block)), len(starts)

    @staticmethod
    def _not_utf8(block: bytes, starts: np.ndarray) -> list[int]:
        bad: list[int] = []
        offset = 0
        while offset < len(block):
            try:
                block[offset:].decode("utf-8")
                break
            except UnicodeDecodeError as exc:
                index = int(np.searchsorted(starts, offset + exc.start, side="right")) - 1
                bad.append(index)
                if index + 1 >= len(starts):
                    break
                offset = int(starts[index + 1])
        return bad

    def _parse(
        self,
        block: bytes,
        arr: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        good: np.ndarray,
        blank: np.ndarray,
        columns: list[str],
    ) -> pl.DataFrame:
        if not good.any():
            return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
        if not good[~blank].all() or blank.any():
            lengths = np.minimum(ends + 1, len(block)) - starts
            keep = np.repeat(good, lengths)
            block = arr[keep].tobytes()
            if not block.endswith(b"\n"):
                block += b"\n"
        table = pa_csv.read_csv(
            io.BytesIO(block),
            read_options=pa_csv.ReadOptions(column_names=self.header, block_size=16 << 20),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()),
                include_columns=columns,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        return pl.from_arrow(table)  # type: ignore[return-value]


def open_source(
    path: Path, *, encoding: str, block_bytes: int = BLOCK_BYTES
) -> CsvSource | ParquetSource:
    if not path.is_file():
        raise InputFileError("no such file", path=str(path))
    if path.suffix.lower() in {".parquet", ".pq"}:
        from icsys.feeds._parquet import ParquetSource  # noqa: PLC0415 - it imports this module

        return ParquetSource(path)
    return CsvSource(path, encoding=encoding, block_bytes=block_bytes)
