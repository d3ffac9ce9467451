"""Unique keys: within a batch (the first row wins) and against batches already committed.

Run by DuckDB over the staged Parquet parts (key columns only), so it spills to disk (past
``MEMORY_LIMIT``) rather than holding tens of millions of keys in memory; the affected parts are
then rewritten without the duplicate rows, which go to quarantine.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from icsys.feeds.contracts import Contract
from icsys.feeds.lake import schema, write_options

MEMORY_LIMIT = "3GB"


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def find_duplicates(
    contract: Contract, staged: list[Path], committed: list[Path], names: list[str], tmp: Path
) -> pl.DataFrame:
    """Rows to quarantine: source_file, source_line, value (the key), reason."""
    empty = pl.DataFrame(
        schema={
            "source_file": pl.Int32,
            "source_line": pl.Int64,
            "value": pl.String,
            "reason": pl.String,
        }
    )
    if not staged:
        return empty
    key = ", ".join(f'"{k}"' for k in contract.key)
    shown = " || '|' || ".join(f'CAST("{k}" AS VARCHAR)' for k in contract.key)
    label = ", ".join(contract.key)
    tmp.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"SET temp_directory = '{tmp}'")
        # bounded memory (it spills past this): two loads may run side by side
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute(
            f"CREATE TEMP VIEW s AS SELECT {key}, source_file, source_line "
            f"FROM read_parquet({_files(staged)})"
        )
        within = con.sql(
            f"""
            WITH d AS (SELECT {key} FROM s GROUP BY ALL HAVING count(*) > 1),
            r AS (
                SELECT s.*, row_number() OVER w AS rn, first_value(source_file) OVER w AS ff,
                       first_value(source_line) OVER w AS fl
                FROM s SEMI JOIN d USING ({key})
                WINDOW w AS (PARTITION BY {key} ORDER BY source_file, source_line)
            )
            SELECT source_file, source_line, {shown} AS value, ff, fl FROM r WHERE rn > 1
            """
        ).pl()
        frames = [
            within.with_columns(
                pl.format(
                    f"duplicate key ({label}): first at line {{}} of {{}}",
                    pl.col("fl"),
                    pl.col("ff").replace_strict(dict(enumerate(names)), return_dtype=pl.String),
                ).alias("reason")
            ).select("source_file", "source_line", "value", "reason")
        ]
        if committed:
            earlier = con.sql(
                f"""SELECT source_file, source_line, {shown} AS value FROM s SEMI JOIN (
                    SELECT {key} FROM read_parquet({_files(committed)}, union_by_name = true)
                ) c USING ({key})"""
            ).pl()
            frames.append(
                earlier.with_columns(
                    pl.lit(f"key ({label}) already loaded in an earlier batch").alias("reason")
                )
            )
    finally:
        con.close()
    found: pl.DataFrame = pl.concat([f.cast(dict(empty.schema)) for f in frames])
    return found.unique(subset=["source_file", "source_line"], keep="first").sort(
        "source_file", "source_line"
    )


def remove_rows(contract: Contract, parts: list[Path], rows: pl.DataFrame) -> None:
    """Rewrite the parts holding any of ``rows`` (source_file, source_line) without them."""
    drop = rows.select(pl.col("source_file").cast(pl.Int32), "source_line")
    for part in parts:
        frame = pl.read_parquet(part)
        kept = frame.join(
            drop, on=["source_file", "source_line"], how="anti", maintain_order="left"
        )
        if kept.height != frame.height:
            tmp = part.with_suffix(".rewrite")
            pq.write_table(kept.to_arrow().cast(schema(contract)), tmp, **write_options(contract))
            tmp.replace(part)
