"""The default engine: the Ibis plan on an in-process DuckDB over the Parquet files."""

from __future__ import annotations

import warnings
from pathlib import Path

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.engines.base import IbisEngine, InputFiles
from icsys.analytics.plan import Plan

# Ibis 12 calls DuckDB's deprecated fetch_arrow_table(); harmless, and not ours to fix.
_IBIS_DEPRECATION = r"fetch_arrow_table\(\) is deprecated"


class DuckDBEngine(IbisEngine):
    """One DuckDB connection per engine; ``threads``/``memory_limit`` pass to DuckDB."""

    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        config: dict[str, int | str] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        self.con = ibis.duckdb.connect(**config)
        self._count = 0

    def aggregate(self, plan: Plan, inputs: InputFiles) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", _IBIS_DEPRECATION, DeprecationWarning)
            return super().aggregate(plan, inputs)

    def _cache(self, expr: ir.Table) -> ir.Table:
        # Ibis's own cache() cannot drop its tables with this sqlglot; a temporary table, named
        # by a counter, lives as long as the connection.
        self._count += 1
        name = f"_icsys_cache_{self._count}"
        sql = self.con.compile(expr)
        self.con.raw_sql(f'CREATE TEMP TABLE "{name}" AS {sql}')
        return self.con.table(name)

    def _read(self, name: str, paths: list[Path]) -> ir.Table:
        listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        source = f"read_parquet([{listed}], hive_partitioning = false)"
        self.con.raw_sql(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM {source}')
        return self.con.table(name)
