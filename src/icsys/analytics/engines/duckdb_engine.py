"""The default engine: the Ibis plan on an in-process DuckDB over the Parquet files."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import pyarrow as pa

from icsys.analytics.engines.base import IbisEngine
from icsys.analytics.long import default_memory_limit

# Ibis 12 calls DuckDB's deprecated fetch_arrow_table(); harmless, and not ours to fix.
_IBIS_DEPRECATION = r"fetch_arrow_table\(\) is deprecated"


class DuckDBEngine(IbisEngine):
    """A DuckDB connection for each run of a plan, closed as soon as the families are
    computed (before the long frame is built, so its memory is given back); ``threads`` and
    ``memory_limit`` pass to DuckDB (default :func:`default_memory_limit`), which spills past
    the limit to a temporary folder."""

    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        self._config: dict[str, int | str | bool] = {
            "memory_limit": memory_limit or default_memory_limit(),
            "preserve_insertion_order": False,
        }
        if threads is not None:
            self._config["threads"] = threads
        self.con: Any = None  # connected for each plan run (see _connect)
        self._spill: str | None = None

    def _connect(self, spill: str) -> None:
        self.con = ibis.duckdb.connect(**self._config, temp_directory=spill)
        # The plan joins the small table on the right (people, registrations, periods, the
        # structure). DuckDB would otherwise build its hash table on whichever side it
        # estimates smaller, and it underestimates the population at each snapshot (a range
        # join) by orders of magnitude: 25 million wide rows in a hash table, 6x slower at 1M
        # people and out of memory at 10M. Joins are also kept in the plan's order: with a
        # filter between a date of the period and a person's dates of birth and death, DuckDB
        # reordered an event family's joins into every person at every period end (35 million
        # rows at 1M people) before matching the events (A&E at 1M: 8.9 s -> 4.9 s).
        self.con.raw_sql("SET disabled_optimizers = 'build_side_probe_side,join_order'")
        self._count = 0

    def _open(self) -> None:
        self._spill = tempfile.mkdtemp(prefix="icsys-duckdb-")
        self._connect(self._spill)

    def _execute(self, expr: ir.Table) -> pa.Table:
        with _quiet():
            return super()._execute(expr)

    def _release(self) -> None:
        """Close the connection: its cached tables and buffers go with it (the families'
        results are Arrow tables of their own)."""
        if self.con is not None:
            self.con.disconnect()
            self.con = None
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None

    def _cache(self, expr: ir.Table) -> ir.Table:
        # Ibis's own cache() cannot drop its tables with this sqlglot; a temporary table, named
        # by a counter, lives as long as the connection.
        self._count += 1
        name = f"_icsys_cache_{self._count}"
        sql = self.con.compile(expr)
        self.con.raw_sql(f'CREATE TEMP TABLE "{name}" AS {sql}')
        with _quiet():
            return self.con.table(name)

    def _drop(self, cached: ir.Table) -> None:
        self.con.raw_sql(f'DROP TABLE IF EXISTS "{cached.get_name()}"')

    def _read(self, name: str, paths: list[Path]) -> ir.Table:
        listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        source = f"read_parquet([{listed}], hive_partitioning = false)"
        self.con.raw_sql(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM {source}')
        with _quiet():
            return self.con.table(name)


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _IBIS_DEPRECATION, DeprecationWarning)
        yield
