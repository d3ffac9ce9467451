"""Checking and typing one chunk of a feed against its contract, in bulk (Polars expressions).

Each column gets at most one problem per row: the first of missing value, wrong type, code not
in the list or pattern not matched, below the minimum, in the future or before 1900, code not in
the structure register (or not in force at the event date). Row checks (an end before its start)
follow. A row with any problem is quarantined; the others are returned typed as in the lake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from icsys.feeds.contracts import NHS_NUMBER, PERSON_ID, ColType, Column, Contract
from icsys.feeds.pseudonym import Pseudonymiser, nhs_number_problem

REDACTED = "(redacted)"
EARLIEST = date(1900, 1, 1)
CHECKS: dict[str, tuple[str, str, str]] = {  # name → (earlier column, later column, reason)
    "death_after_birth": (
        "date_of_birth",
        "date_of_death",
        "date_of_death is before date_of_birth",
    ),
    "end_after_start": ("start_date", "end_date", "end_date is before start_date"),
    "discharge_after_admission": (
        "admission_date",
        "discharge_date",
        "discharge_date is before admission_date",
    ),
    "departure_after_arrival": (
        "arrival_time",
        "departure_time",
        "departure_time is before arrival_time",
    ),
    "clock_stop_after_start": ("clock_start", "clock_stop", "clock_stop is before clock_start"),
}
POLARS_TYPES: dict[ColType, pl.DataType] = {
    ColType.STRING: pl.String(),
    ColType.CODE: pl.String(),
    ColType.DATE: pl.Date(),
    ColType.MONTH: pl.Date(),
    ColType.DATE_OR_MONTH: pl.Date(),
    ColType.TIMESTAMP: pl.Datetime("us"),
    ColType.INT: pl.Int64(),
    ColType.FLOAT: pl.Float64(),
}


def _p(name: str) -> str:
    return f"_p_{name}"


def _typed(col: Column, raw: pl.Expr) -> tuple[pl.Expr, str | None]:
    """The typed value and, when the text cannot be read as the type, the reason."""
    t = col.type
    if t is ColType.DATE:
        return raw.str.to_date("%Y-%m-%d", strict=False), "not a date (expected YYYY-MM-DD)"
    if t is ColType.DATE_OR_MONTH:
        as_month = (raw + "-01").str.to_date("%Y-%m-%d", strict=False)
        return pl.coalesce(raw.str.to_date("%Y-%m-%d", strict=False), as_month), (
            "not a date or month (expected YYYY-MM-DD or YYYY-MM)"
        )
    if t is ColType.MONTH:
        month = pl.when(raw.str.contains(r"^\d{4}-\d{2}(-\d{2})?$")).then(
            raw.str.slice(0, 7) + "-01"
        )
        return month.str.to_date("%Y-%m-%d", strict=False), "not a month (expected YYYY-MM)"
    if t is ColType.TIMESTAMP:
        text = raw.str.replace("T", " ", literal=True)
        return pl.coalesce(
            text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
            text.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us"),
        ), "not a date and time (expected YYYY-MM-DD HH:MM[:SS])"
    if t is ColType.INT:
        return raw.cast(pl.Int64, strict=False), "not a whole number"
    if t is ColType.FLOAT:
        number = raw.cast(pl.Float64, strict=False)
        return pl.when(number.is_finite()).then(number), "not a number"
    return raw, None


@dataclass
class Checker:
    """Validates chunks of one file of one feed."""

    contract: Contract
    present: set[str]
    today: date
    registers: dict[str, pl.DataFrame] = field(default_factory=dict)  # column → code intervals
    pseudonymiser: Pseudonymiser | None = None
    mapping: pl.DataFrame | None = None  # code_system, code, cluster

    @property
    def identity(self) -> str | None:
        if not self.contract.person_level:
            return None
        return NHS_NUMBER if NHS_NUMBER in self.present else PERSON_ID

    def _problem(self, col: Column, raw: pl.Expr, typed: pl.Expr, bad_type: str | None) -> pl.Expr:
        rule = pl.when(raw.is_null())
        expr = rule.then(pl.lit(None if col.nullable else "missing value", pl.String))
        if bad_type:
            expr = expr.when(typed.is_null()).then(pl.lit(bad_type))
        if col.codes:
            expr = expr.when(~raw.is_in(list(col.codes))).then(
                pl.lit("code not in the contract's list")
            )
        if col.pattern:
            expr = expr.when(~raw.str.contains(col.pattern)).then(
                pl.lit(f"does not match {col.pattern}")
            )
        if col.minimum is not None:
            expr = expr.when(typed < col.minimum).then(pl.lit(f"less than {col.minimum:g}"))
        if col.type in {ColType.DATE, ColType.MONTH, ColType.DATE_OR_MONTH, ColType.TIMESTAMP}:
            day = typed.cast(pl.Date)
            if col.not_future:
                expr = expr.when(day > self.today).then(
                    pl.lit(f"in the future (after {self.today})")
                )
            expr = expr.when(day < EARLIEST).then(pl.lit("before 1900"))
        return expr.otherwise(pl.lit(None, pl.String))

    def _identity(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.Expr]]:
        ident = self.identity
        if ident is None:
            return frame, []
        raw = pl.col(ident)
        if ident == NHS_NUMBER:
            problem = (
                pl.when(raw.is_null())
                .then(pl.lit("missing value"))
                .otherwise(nhs_number_problem(raw))
            )
            frame = frame.with_columns(problem.alias(_p(NHS_NUMBER)))
            assert self.pseudonymiser is not None  # noqa: S101 - set whenever nhs_number is present
            valid = frame.select(pl.when(pl.col(_p(NHS_NUMBER)).is_null()).then(raw)).to_series()
            frame = frame.with_columns(self.pseudonymiser.series(valid).alias(PERSON_ID))
            return frame, []
        col = self.contract.column(PERSON_ID)
        looks_raw = nhs_number_problem(raw).is_null()
        problem = self._problem(col, raw, raw, None)
        problem = (
            pl.when(raw.is_not_null() & looks_raw)
            .then(
                pl.lit("person_id is a valid NHS number: send it as nhs_number to be pseudonymised")
            )
            .otherwise(problem)
        )
        return frame, [problem.alias(_p(PERSON_ID))]

    def _map_clusters(self, frame: pl.DataFrame) -> pl.DataFrame:
        if "cluster" in self.present or self.mapping is None or self.contract.name != "conditions":
            return frame
        mapped = frame.drop("cluster").join(
            self.mapping, on=["code_system", "code"], how="left", maintain_order="left"
        )
        problem = pl.when(pl.col("cluster").is_null() & pl.col("code").is_not_null()).then(
            pl.lit("code not in the mapping file")
        )
        return mapped.with_columns(problem.alias("_m_code"))

    def check(self, chunk: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The rows that pass, typed as in the lake, and the problems (line, column, value, reason)."""
        c = self.contract
        text = [n for n in chunk.columns if n != "_line"]
        frame = chunk.with_columns(
            pl.when(pl.col(n).str.strip_chars() == "")
            .then(None)
            .otherwise(pl.col(n).str.strip_chars())
            .alias(n)
            for n in text
        )
        for col in c.columns:
            if col.name not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.String).alias(col.name))
        frame = self._map_clusters(frame)
        frame, problems = self._identity(frame)
        typed: list[pl.Expr] = []
        for col in c.columns:
            if col.name == PERSON_ID:
                continue
            raw = pl.col(col.name)
            value, bad_type = _typed(col, raw)
            typed.append(value.alias(f"_t_{col.name}"))
            problems.append(
                self._problem(col, raw, pl.col(f"_t_{col.name}"), bad_type).alias(_p(col.name))
            )
        frame = frame.with_columns(typed).with_columns(problems)
        if "_m_code" in frame.columns:
            frame = frame.with_columns(
                pl.coalesce("_m_code", _p("code")).alias(_p("code")),
                pl.when(pl.col("_m_code").is_null())
                .then(pl.col(_p("cluster")))
                .alias(_p("cluster")),
            ).drop("_m_code")
        frame = self._registers(frame)
        frame = self._row_checks(frame)
        return self._split(frame)

    def _event_day(self) -> pl.Expr | None:
        if self.contract.event_date is None:
            return None
        return pl.col(f"_t_{self.contract.event_date}").cast(pl.Date)

    def _registers(self, frame: pl.DataFrame) -> pl.DataFrame:
        event = self._event_day()
        for name, intervals in self.registers.items():
            candidates = pl.col(_p(name)).is_null() & pl.col(name).is_not_null()
            day = event if event is not None else pl.lit(None, pl.Date)
            pairs = (
                frame.filter(candidates)
                .select(pl.col(name).alias("code"), day.alias("day"))
                .unique()
            )
            if pairs.is_empty():
                continue
            joined = pairs.join(intervals, on="code", how="left").with_columns(
                known=pl.col("valid_from").is_not_null(),
                in_force=pl.col("day").is_null()
                | (
                    (pl.col("valid_from") <= pl.col("day"))
                    & (pl.col("valid_to").is_null() | (pl.col("day") < pl.col("valid_to")))
                ),
            )
            verdict = joined.group_by("code", "day").agg(
                pl.col("known").any().alias("_known"),
                (pl.col("known") & pl.col("in_force")).any().alias("_in_force"),
            )
            level = " or ".join(self.contract.column(name).register)
            frame = frame.with_columns(day.alias("_day")).join(
                verdict,
                left_on=[name, "_day"],
                right_on=["code", "day"],
                how="left",
                maintain_order="left",
                nulls_equal=True,
            )
            at = f" on the {c} date" if (c := self.contract.event_date) else ""
            frame = frame.with_columns(
                pl.when(pl.col(_p(name)).is_not_null())
                .then(pl.col(_p(name)))
                .when(pl.col("_known") == False)  # noqa: E712 - a Polars expression, not a bool
                .then(pl.lit(f"not a {level} code in the structure register"))
                .when(pl.col("_in_force") == False)  # noqa: E712
                .then(pl.lit(f"{level} code not in force{at}"))
                .otherwise(pl.col(_p(name)))
                .alias(_p(name))
            ).drop("_known", "_in_force", "_day")
        return frame

    def _row_checks(self, frame: pl.DataFrame) -> pl.DataFrame:
        for name in self.contract.checks:
            earlier, later, reason = CHECKS[name]
            bad = (
                pl.col(_p(earlier)).is_null()
                & pl.col(_p(later)).is_null()
                & (pl.col(f"_t_{later}") < pl.col(f"_t_{earlier}"))
            )
            frame = frame.with_columns(
                pl.when(bad).then(pl.lit(reason)).otherwise(pl.col(_p(later))).alias(_p(later))
            )
        return frame

    def _split(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        c = self.contract
        problem_cols = [n for n in frame.columns if n.startswith("_p_")]
        bad = pl.any_horizontal(pl.col(n).is_not_null() for n in problem_cols)
        frame = frame.with_columns(bad.alias("_bad"))
        good = frame.filter(~pl.col("_bad"))
        out = [pl.col(PERSON_ID)] if c.person_level else []
        out += [
            pl.col(f"_t_{col.name}").alias(col.name) for col in c.columns if col.name != PERSON_ID
        ]
        out += [
            pl.col(d.source)
            .replace_strict(d.groups, default=None, return_dtype=pl.String)
            .alias(d.name)
            for d in c.derived
        ]
        good = good.select([*out, pl.col("_line").alias("source_line")])
        rejected = frame.filter(pl.col("_bad"))
        if rejected.is_empty():
            return good, pl.DataFrame(
                schema={
                    "line": pl.Int64,
                    "column": pl.String,
                    "value": pl.String,
                    "reason": pl.String,
                }
            )
        parts = []
        for name in problem_cols:
            column = name.removeprefix("_p_")
            secret = column == NHS_NUMBER or (column == PERSON_ID and self.identity == NHS_NUMBER)
            value = pl.lit(REDACTED) if secret else pl.col(column).fill_null("").str.slice(0, 80)
            if column == PERSON_ID and not secret:
                value = (
                    pl.when(pl.col(name).str.starts_with("person_id is a valid NHS number"))
                    .then(pl.lit(REDACTED))
                    .otherwise(value)
                )
            parts.append(
                rejected.filter(pl.col(name).is_not_null()).select(
                    pl.col("_line").alias("line"),
                    pl.lit(column).alias("column"),
                    value.alias("value"),
                    pl.col(name).alias("reason"),
                )
            )
        return good, pl.concat(parts).sort("line", maintain_order=True)
