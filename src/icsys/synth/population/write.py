"""Write the generated feeds: one folder per feed, one part-file per block.

Parquet (zstd) is the default: typed columns, about ten times faster to write and read than CSV
at these volumes. CSV writes the same columns as text in the contracts' formats (dates
``YYYY-MM-DD``, times ``YYYY-MM-DD HH:MM:SS``, empty for null). Each part is written to a
temporary name and renamed, so a folder never holds half a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from icsys.errors import UserError

FORMATS = ("parquet", "csv")


def prepare_folder(out: Path, feeds: Iterable[str]) -> None:
    """Create ``out/<feed>/`` for each feed, removing the part-files of an earlier run."""
    for feed in feeds:
        folder = out / feed
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("part-*"):
            old.unlink()


def write_block(tables: dict[str, pa.Table], out: Path, block: int, fmt: str) -> dict[str, int]:
    """Write each table as ``out/<feed>/part-<block>.<fmt>``; return the rows written."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    rows = {}
    for feed, table in tables.items():
        target = out / feed / f"part-{block:05d}.{fmt}"
        temporary = target.with_name(f".{target.name}.tmp{os.getpid()}")
        if fmt == "parquet":
            pq.write_table(table, temporary, compression="zstd", compression_level=1)
        else:
            pacsv.write_csv(
                table,
                temporary,
                write_options=pacsv.WriteOptions(quoting_style="needed"),
            )
        temporary.replace(target)
        rows[feed] = table.num_rows
    return rows
