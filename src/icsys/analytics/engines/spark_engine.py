"""The scale-out engine: the same Ibis plan on Spark (local mode in tests, a cluster in an NHS
secure data environment). Pass an existing ``SparkSession`` or let one be made locally."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics.engines.base import IbisEngine


def local_session(cores: int = 2) -> Any:
    """A local Spark session for tests and laptops (UTC, no UI, few shuffle partitions)."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - Spark is an optional extra

    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("icsys")
        # the driver is the executor in local mode: with 2g a family's task failed to
        # serialise (Java heap space) once in a full test run on CI
        .config("spark.driver.memory", "4g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine(IbisEngine):
    """The plan on PySpark. Timestamps are read in UTC (the session's time zone is set)."""

    name = "spark"

    def __init__(self, session: Any | None = None) -> None:
        self.session = session if session is not None else local_session()
        self.session.conf.set("spark.sql.session.timeZone", "UTC")
        self.con = ibis.pyspark.connect(self.session)
        self._cached: list[ir.Table] = []

    def _read(self, name: str, paths: list[Path]) -> ir.Table:
        frame = self.session.read.parquet(*(str(p) for p in paths))
        frame.createOrReplaceTempView(name)
        return self.con.table(name)

    def _cache(self, expr: ir.Table) -> ir.Table:
        cached = expr.cache()
        self._cached.append(cached)
        return cached

    def _drop(self, cached: ir.Table) -> None:
        cached.release()
        self._cached = [t for t in self._cached if t is not cached]

    def release(self) -> None:
        """Drop the cached intermediate tables."""
        for cached in self._cached:
            cached.release()
        self._cached.clear()

    def _release(self) -> None:
        self.release()
