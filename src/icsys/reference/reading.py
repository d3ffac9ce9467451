"""Reading tabular files (CSV, and the sheets of an .xlsx) with errors that name their place."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from icsys.errors import InputFileError

ROW = tuple[int, list[str]]  # (1-based line number in the file, fields)


@dataclass(frozen=True)
class Table:
    """One table read from a file: the first row, and the rows after it with line numbers.

    ``first`` is the header for files that have one; headerless ODS extracts are recognised by
    their formats, which then treat ``first`` as data (line 1).
    """

    path: Path
    label: str  # the file name, or "file.xlsx[sheet]"
    first: list[str]
    rows: list[ROW]
    sha256: str

    def all_rows(self, *, headerless: bool) -> list[ROW]:
        return [(1, self.first), *self.rows] if headerless else self.rows


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode("utf-8-sig" if encoding.lower().replace("-", "") == "utf8" else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be read as {encoding}",
            path=str(path),
            line=line,
            expected=f"{encoding} text (re-save the file as UTF-8, or pass --encoding cp1252)",
        ) from None


def _check_delimiter(path: Path, first_line: str) -> None:
    if "," in first_line:
        return
    for name, char in (("tab", "\t"), ("semicolon", ";"), ("pipe", "|")):
        if first_line.count(char) >= 2:
            raise InputFileError(
                f"the first line is {name}-separated",
                path=str(path),
                line=1,
                expected="comma-separated values",
            )


def read_csv(path: Path, *, encoding: str = "utf-8") -> Table:
    """Read a whole CSV file (reference files are a few MB at most)."""
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError("the file is empty", path=str(path), expected="a header row")
    text = _decode(path, data, encoding)
    _check_delimiter(path, text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[ROW] = []
    try:
        first = next(reader)
        rows.extend((reader.line_num, fields) for fields in reader if fields)
    except csv.Error as exc:
        raise InputFileError(
            f"malformed CSV ({exc})",
            path=str(path),
            line=reader.line_num,
            expected="properly quoted comma-separated fields",
        ) from None
    return Table(path=path, label=path.name, first=first, rows=rows, sha256=file_sha256(path))


def read_xlsx(path: Path) -> Iterator[Table]:
    """Each sheet of a workbook as a table (the ODS ePCN file is published so)."""
    from openpyxl import load_workbook  # noqa: PLC0415 - only needed for workbooks

    sha = file_sha256(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise InputFileError(f"cannot open workbook ({exc})", path=str(path)) from None
    for sheet in book.worksheets:
        cells = sheet.iter_rows(values_only=True)
        first_row = next(cells, None)
        if first_row is None:
            continue
        first = [_cell(v).replace("\n", " ") for v in first_row]
        rows: list[ROW] = []
        for number, values in enumerate(cells, start=2):
            fields = [_cell(v) for v in values]
            if any(fields):
                rows.append((number, fields[: len(first)]))
        yield Table(
            path=path, label=f"{path.name}[{sheet.title}]", first=first, rows=rows, sha256=sha
        )
    book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y%m%d")  # type: ignore[no-any-return]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_tables(path: Path, *, encoding: str = "utf-8") -> list[Table]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return list(read_xlsx(path))
    return [read_csv(path, encoding=encoding)]
