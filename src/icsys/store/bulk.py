"""Fast bulk writes inside a caller's transaction: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns the row count."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        cols = ", ".join(columns)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return len(rows)
    marks = ", ".join("?" for _ in columns)
    dated = _date_positions(rows)
    if dated:
        rows = [_iso_dates(row, dated) for row in rows]
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))
    return len(rows)


def _date_positions(rows: Sequence[Sequence[Any]]) -> list[int]:
    """Columns holding dates (SQLAlchemy stores them on SQLite as ISO text, so must we)."""
    width = len(rows[0])
    return [
        i
        for i in range(width)
        if any(isinstance(row[i], date | datetime) for row in rows[:1000])
        or any(isinstance(row[i], date | datetime) for row in rows[-1000:])
    ]


def _iso_dates(row: Sequence[Any], positions: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in positions:
        value = values[i]
        if value is not None:
            values[i] = value.isoformat()
    return tuple(values)
