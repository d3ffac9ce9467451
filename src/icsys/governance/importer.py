"""``icsys governance import``: governance records from CSV and YAML files.

A CSV file holds one kind of record and is named after it (``bodies.csv``, ``2025-members.csv``:
the name ends with the kind); its header names the fields (docs/governance.md lists them). A YAML
file maps kinds to lists of records with the same fields. Two convenience fields are expanded:
``person_name`` (members, tenures) creates or renames the person, and ``contributions`` (items,
decisions: ``vcse:co_produced; local_government:proposed``) records which sectors contributed.

Like the feeds: a file that cannot be read as what it claims (bad YAML, an unknown or missing
column, a name that is no kind) stops the import with its path, line and column, before anything
is written. A row that breaks a rule is quarantined with the reason, to
``quarantine/governance/<file>.<sha>.csv``, and the rest is loaded in one transaction, each change
audited. Every row read is created, updated, unchanged or quarantined; the report reconciles.
Importing the same files again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine

from icsys.config import Settings
from icsys.errors import InputFileError, InvalidRecordError, QuarantineError
from icsys.governance import records
from icsys.governance.schema import KINDS, ORDER, FieldError
from icsys.governance.vocab import ContributionKind, Sector

SUFFIXES = {".csv", ".yaml", ".yml"}
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "members": ("person_name",),
    "tenures": ("person_name",),
    "items": ("contributions",),
    "decisions": ("contributions",),
}
_CONTRIBUTION_KIND = {"items": "item_contributions", "decisions": "decision_contributions"}
_PARENT_COLUMN = {"items": "item_id", "decisions": "decision_id"}


@dataclass
class Problem:
    file: str
    line: int
    column: str
    value: str
    reason: str


@dataclass
class Row:
    kind: str
    values: dict[str, Any]
    file: str
    line: int
    derived_from: Row | None = None
    status: str = "pending"  # created | updated | unchanged | quarantined


@dataclass
class FileReport:
    path: str
    sha256: str
    kinds: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    quarantine_file: str | None = None

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def rows_read(self) -> int:
        return len(self.rows)

    @property
    def reconciles(self) -> bool:
        done = ("created", "updated", "unchanged", "quarantined")
        return self.rows_read == sum(self.count(s) for s in done)


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def total(self, status: str) -> int:
        return sum(f.count(status) for f in self.files)


# --- reading ----------------------------------------------------------------------------------
def discover(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputFileError("no such file or folder", path=str(path))
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES))
        else:
            found.append(path)
    if not found:
        raise InputFileError(
            "no governance files (.csv, .yaml) found", path=", ".join(map(str, paths))
        )
    return found


def kind_of_name(path: Path) -> str:
    stem = path.stem.lower().replace("-", "_")
    for name in sorted(KINDS, key=len, reverse=True):
        if stem == name or stem.endswith("_" + name):
            return name
    raise InputFileError(
        "the file name does not say which kind of record it holds",
        path=str(path),
        expected=f"a name ending with one of {', '.join(KINDS)}",
    )


def _text(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"is not UTF-8 (byte {exc.start})", path=str(path), line=line
        ) from None


def _check_columns(path: Path, kind: str, columns: list[str], line: int) -> None:
    allowed = set(KINDS[kind].columns) | set(EXTRA_COLUMNS.get(kind, ()))
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise InputFileError(
                "the column appears twice", path=str(path), line=line, column=column
            )
        seen.add(column)
        if column not in allowed:
            raise InputFileError(
                f"unknown column for {kind}",
                path=str(path),
                line=line,
                column=column,
                expected=", ".join((*KINDS[kind].columns, *EXTRA_COLUMNS.get(kind, ()))),
            )
    for f in KINDS[kind].fields:
        if f.required and f.name not in seen:
            raise InputFileError(
                f"a required column of {kind} is missing", path=str(path), line=line, column=f.name
            )


def read_csv(path: Path, text: str) -> tuple[str, list[Row]]:
    kind = kind_of_name(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[Row] = []
    start = 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [c.strip() for c in record]
            _check_columns(path, kind, header, line)
            continue
        values: dict[str, Any] = dict(zip(header, record, strict=False))
        if len(record) > len(header):
            values["__extra__"] = f"has {len(record)} fields, the header has {len(header)}"
        rows.append(Row(kind, values, str(path), line))
    if header is None:
        raise InputFileError("is empty (no header)", path=str(path), line=1)
    return kind, rows


def read_yaml(path: Path, text: str) -> tuple[list[str], list[Row]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputFileError(
            f"is not valid YAML: {exc.problem}", path=str(path), line=line
        ) from None
    if data is None:
        raise InputFileError("is empty", path=str(path), line=1)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InputFileError(
            "must map kinds of record to lists",
            path=str(path),
            line=1,
            expected=f"keys among {', '.join(KINDS)}",
        )
    kinds, rows = [], []
    for key_node, value_node in node.value:
        name = str(key_node.value)
        line = key_node.start_mark.line + 1
        if name not in KINDS:
            raise InputFileError(
                f"{name!r} is not a kind of governance record",
                path=str(path),
                line=line,
                expected=", ".join(KINDS),
            )
        items = data[name]
        if not isinstance(items, list) or not isinstance(value_node, yaml.SequenceNode):
            raise InputFileError(f"{name} must be a list of records", path=str(path), line=line)
        kinds.append(name)
        for item, item_node in zip(items, value_node.value, strict=True):
            item_line = item_node.start_mark.line + 1
            if not isinstance(item, dict):
                raise InputFileError(
                    f"each of {name} must be a mapping of fields", path=str(path), line=item_line
                )
            _check_columns_present(path, name, [str(k) for k in item], item_line)
            rows.append(Row(name, {str(k): v for k, v in item.items()}, str(path), item_line))
    return kinds, rows


def _check_columns_present(path: Path, kind: str, columns: list[str], line: int) -> None:
    allowed = set(KINDS[kind].columns) | set(EXTRA_COLUMNS.get(kind, ()))
    for column in columns:
        if column not in allowed:
            raise InputFileError(
                f"unknown field for {kind}",
                path=str(path),
                line=line,
                column=column,
                expected=", ".join((*KINDS[kind].columns, *EXTRA_COLUMNS.get(kind, ()))),
            )


def read_file(path: Path) -> FileReport:
    raw = path.read_bytes()
    report = FileReport(str(path), hashlib.sha256(raw).hexdigest())
    text = _text(path, raw)
    if path.suffix.lower() == ".csv":
        kind, rows = read_csv(path, text)
        report.kinds = [kind]
    else:
        report.kinds, rows = read_yaml(path, text)
    report.rows = rows
    return report


# --- expanding convenience fields --------------------------------------------------------------
def parse_contributions(text: object) -> list[tuple[str, str]]:
    """``vcse:co_produced; local_government`` → pairs (a sector alone means ``proposed``)."""
    if text is None or not str(text).strip():
        return []
    pairs = []
    for part in re.split(r"[;,]", str(text)):
        if not part.strip():
            continue
        sector, _, kind = part.partition(":")
        sector, kind = sector.strip().lower(), (kind.strip().lower() or ContributionKind.PROPOSED)
        if sector not in {s.value for s in Sector}:
            raise FieldError("contributions", f"{sector!r} is not a sector ({', '.join(Sector)})")
        if kind not in {k.value for k in ContributionKind}:
            raise FieldError(
                "contributions", f"{kind!r} is not one of {', '.join(ContributionKind)}"
            )
        pairs.append((sector, kind))
    return pairs


def expand(row: Row) -> list[Row]:
    """Rows derived from the convenience fields (raises ``FieldError`` when unreadable)."""
    derived = []
    name = row.values.get("person_name")
    if name is not None and str(name).strip():
        person = {"id": row.values.get("person_id"), "name": name}
        derived.append(Row("people", person, row.file, row.line, row))
    if row.kind in _CONTRIBUTION_KIND:
        for sector, kind in parse_contributions(row.values.get("contributions")):
            values = {
                _PARENT_COLUMN[row.kind]: row.values.get("id"),
                "sector": sector,
                "kind": kind,
            }
            derived.append(Row(_CONTRIBUTION_KIND[row.kind], values, row.file, row.line, row))
    return derived


# --- writing ----------------------------------------------------------------------------------
def _quarantine(row: Row, problems: list[Problem], column: str, reason: str) -> None:
    row.status = "quarantined"
    value = row.values.get(column)
    problems.append(
        Problem(row.file, row.line, column, "" if value is None else str(value), reason)
    )


def _write(conn: Connection, rows: list[Row], actor: str, problems: list[Problem]) -> None:
    by_kind: dict[str, list[Row]] = {k: [] for k in ORDER}
    for row in rows:
        by_kind[row.kind].append(row)
    for kind in ORDER:
        seen: dict[str, Row] = {}
        for row in by_kind[kind]:
            parent = row.derived_from
            if parent is not None and parent.status == "quarantined" and row.kind != "people":
                row.status = "quarantined"
                continue
            if row.status == "quarantined":
                continue
            try:
                values = records.check(conn, kind, row.values)
            except InvalidRecordError as exc:
                for column, message in exc.problems:
                    _quarantine(row, problems, column, message)
                if parent is not None:
                    _quarantine(parent, problems, exc.problems[0][0], exc.problems[0][1])
                continue
            key = KINDS[kind].key_of(values)
            if key in seen and parent is None and seen[key].derived_from is None:
                first = seen[key]
                _quarantine(
                    row,
                    problems,
                    KINDS[kind].key[0],
                    f"duplicate of {first.file} line {first.line}",
                )
                continue
            seen[key] = row
            row.status = records.save(conn, kind, values, actor=actor)


def _prepare(report: FileReport, problems: list[Problem]) -> list[Row]:
    everything: list[Row] = []
    for row in report.rows:
        if "__extra__" in row.values:
            _quarantine(row, problems, "-", row.values.pop("__extra__"))
            continue
        for column in list(row.values):
            if not isinstance(
                row.values[column], str | int | float | bool | type(None)
            ) and not hasattr(row.values[column], "isoformat"):
                _quarantine(row, problems, column, "must be a single value, not a list or mapping")
        if row.status == "quarantined":
            continue
        try:
            derived = expand(row)
        except FieldError as exc:
            _quarantine(row, problems, exc.column, exc.message)
            continue
        everything.extend(r for r in derived if r.kind == "people")
        everything.append(row)
        everything.extend(r for r in derived if r.kind != "people")
    return everything


def _write_quarantine(
    settings: Settings, report: FileReport, problems: list[Problem]
) -> str | None:
    mine = [p for p in problems if p.file == report.path]
    if not mine:
        return None
    folder = settings.quarantine_dir / "governance"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{Path(report.path).name}.{report.sha256[:12]}.csv"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "line", "column", "value", "reason"])
        for p in mine:
            writer.writerow([p.file, p.line, p.column, p.value, p.reason])
    Path(tmp).replace(target)
    return str(target)


def import_governance(
    engine: Engine,
    settings: Settings,
    paths: Iterable[Path],
    *,
    actor: str,
    strict: bool = False,
) -> ImportReport:
    """Import governance files atomically; see the module docstring."""
    report = ImportReport([read_file(p) for p in discover(paths)])
    rows = [r for f in report.files for r in _prepare(f, report.problems)]
    with engine.begin() as conn:
        _write(conn, rows, actor, report.problems)
        if strict and report.problems:
            first = report.problems[0]
            raise QuarantineError(
                f"{len(report.problems)} problem(s) and --strict was given; first: {first.file} "
                f"line {first.line} column {first.column!r}: {first.reason}"
            )
    for f in report.files:
        f.quarantine_file = _write_quarantine(settings, f, report.problems)
    return report


def problems_by_file(report: ImportReport) -> Mapping[str, list[Problem]]:
    found: dict[str, list[Problem]] = {}
    for p in report.problems:
        found.setdefault(p.file, []).append(p)
    return found
