"""Printing rows as a Rich table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from icsys.cli.params import OutputFormat

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error message is one line, unwrapped


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def emit(rows: Sequence[Mapping[str, Any]], fmt: OutputFormat, *, title: str | None = None) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(list(rows), default=_json_default, indent=1) + "\n")
    elif fmt is OutputFormat.CSV:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _text(row.get(k)) for k in columns} for row in rows)
    else:
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(_text(row.get(c)) for c in columns))
        console.print(table)
