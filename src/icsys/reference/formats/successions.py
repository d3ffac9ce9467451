"""Declared code successions: mergers and code changes that no lookup shows yet.

The late-2025 ODS extract names the ICBs created by the 2026 mergers (for example S9B9J NHS
Surrey and Sussex ICB) before any sub-ICB location or practice points to them, so which ICBs
each replaces is not in the data. A system states it in a small CSV, recognised by its columns::

    level,old_code,new_code,effective_date,kind,share,source
    system,E54000063,S9B9J,2026-04-01,merger,,NHS England ICB clustering announcement

Declared successions are dated edges like the detected ones (never overwrites), and shown by
``icsys structure diff``.
"""

from __future__ import annotations

from icsys.domain.levels import Level
from icsys.reference.formats._common import RowCheck, field, has_columns, header_index, row_width
from icsys.reference.parsed import Parsed
from icsys.reference.reading import Table

_COLUMNS = ("level", "old_code", "new_code", "effective_date")
KINDS = {"code_change", "merger", "split"}


def score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_COLUMNS)
    return present / len(_COLUMNS), missing


def parse(table: Table, parsed: Parsed) -> None:
    index = header_index(table.first)
    pos = {c: index[c.replace("_", "")] for c in _COLUMNS}
    kind_pos, share_pos, source_pos = index.get("kind"), index.get("share"), index.get("source")
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        level_text = field(row, pos["level"])
        try:
            level = Level.parse(level_text).value
        except ValueError as exc:
            check.fail(
                "level", level_text, str(exc).replace("unknown level", "expected a level, got")
            )
            level = level_text
        old = check.required("old_code", field(row, pos["old_code"]))
        new = check.required("new_code", field(row, pos["new_code"]))
        when = check.date("effective_date", field(row, pos["effective_date"]), required=True)
        kind = field(row, kind_pos) or "code_change"
        if kind not in KINDS:
            check.fail("kind", kind, f"expected one of {', '.join(sorted(KINDS))}")
        share = check.number("share", field(row, share_pos))
        if share is not None and not 0 < share <= 1:
            check.fail("share", str(share), "expected a proportion above 0 and at most 1")
        if check.ok and when is not None:
            source = field(row, source_pos) or "declared"
            parsed.successions.append((level, old, new, when, kind, share, f"declared: {source}"))
