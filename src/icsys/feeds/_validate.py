"""Checking and typing one chunk of a feed against its contract, in bulk (Polars expressions).

Each column gets at most one problem per row: the first of missing value, wrong type, code not
in the list or pattern not matched, below the minimum, in the future or before 1900, code not in
the structure register (or not in force at the event date). Row checks (an end before its start)
follow. A row with any problem is quarantined; the others are returned typed as in the lake.

For speed, a problem is a small integer per column (0 = none; else the index of its reason in
the column's list), computed by one lazy query for every column at once; reasons are spelled
out only for the rejected rows. Text is parsed once in the common format; other accepted
formats are tried only on the values that failed. Columns already typed (from Parquet) are
checked, not parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from icsys.feeds._read import PROBLEMS
from icsys.feeds.contracts import NHS_NUMBER, PERSON_ID, ColType, Column, Contract
from icsys.feeds.pseudonym import NHS_NUMBER_CHECKS, Pseudonymiser, with_nhs_number_checks

REDACTED = "(redacted)"
REFUSED = "person_id is a valid NHS number: send it as nhs_number to be pseudonymised"
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


def _t(name: str) -> str:
    return f"_t_{name}"


TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
_TEXT = pl.String()


def _month(raw: pl.Expr) -> pl.Expr:
    month = pl.when(raw.str.contains(r"^\d{4}-\d{2}(-\d{2})?$")).then(raw.str.slice(0, 7) + "-01")
    return month.str.to_date(DATE_FORMAT, strict=False)


def _number(raw: pl.Expr) -> pl.Expr:
    number = raw.cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)


_TEXT_TYPES: dict[ColType, tuple[Callable[[pl.Expr], pl.Expr], str]] = {
    ColType.DATE: (
        lambda raw: raw.str.to_date(DATE_FORMAT, strict=False),
        "not a date (expected YYYY-MM-DD)",
    ),
    ColType.DATE_OR_MONTH: (
        lambda raw: raw.str.to_date(DATE_FORMAT, strict=False),
        "not a date or month (expected YYYY-MM-DD or YYYY-MM)",
    ),
    ColType.MONTH: (_month, "not a month (expected YYYY-MM)"),
    ColType.TIMESTAMP: (
        lambda raw: raw.str.to_datetime(TIME_FORMAT, strict=False, time_unit="us"),
        "not a date and time (expected YYYY-MM-DD HH:MM[:SS])",
    ),
    ColType.INT: (lambda raw: raw.cast(pl.Int64, strict=False), "not a whole number"),
    ColType.FLOAT: (_number, "not a number"),
}


def _typed(col: Column, raw: pl.Expr, dtype: pl.DataType) -> tuple[pl.Expr, str | None]:
    """The typed value (common format only, for text) and the reason when it is not valid."""
    t = col.type
    if dtype != _TEXT:  # typed by the reader (Parquet): already the lake type, or a Date
        if t is ColType.MONTH:
            return raw.dt.truncate("1mo"), None
        if t is ColType.FLOAT:
            return pl.when(raw.is_finite()).then(raw), "not a number"
        return raw, None
    if t in _TEXT_TYPES:
        parse, reason = _TEXT_TYPES[t]
        return parse(raw), reason
    return raw, None


def _fallback(col: Column, text: pl.Series) -> pl.Series | None:
    """The other accepted formats, parsed only for the values the common format did not read."""
    if col.type is ColType.DATE_OR_MONTH:
        return (text + "-01").str.to_date(DATE_FORMAT, strict=False)
    if col.type is ColType.TIMESTAMP:
        spaced = text.str.replace("T", " ", literal=True)
        return spaced.str.to_datetime(TIME_FORMAT, strict=False, time_unit="us").fill_null(
            spaced.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us")
        )
    return None


def _code(checks: list[tuple[pl.Expr, int]]) -> pl.Expr:
    """The first failing check's code (0 when none fails), as UInt8."""
    result = pl.lit(0, pl.UInt8)
    for failed, code in reversed(checks):
        result = pl.when(failed).then(pl.lit(code, pl.UInt8)).otherwise(result)
    return result


@dataclass
class RegisterLookup:
    """One column's register codes: the single-interval codes for a join, the rest aside
    (built once per load, shared by the checkers of its files)."""

    lookup: pl.DataFrame  # code, _n (intervals), _from, _to (of the only interval when _n == 1)
    multi: pl.DataFrame  # code, valid_from, valid_to of codes with several intervals

    @classmethod
    def of(cls, intervals: pl.DataFrame) -> RegisterLookup:
        lookup = intervals.group_by("code").agg(
            pl.len().cast(pl.UInt32).alias("_n"),
            pl.col("valid_from").first().alias("_from"),
            pl.col("valid_to").first().alias("_to"),
        )
        multi = intervals.join(lookup.filter(pl.col("_n") > 1).select("code"), on="code")
        return cls(lookup, multi)


@dataclass
class Checker:
    """Validates chunks of one file of one feed."""

    contract: Contract
    present: set[str]
    today: date
    # column → code intervals (code, valid_from, valid_to), or their lookup
    registers: dict[str, pl.DataFrame | RegisterLookup] = field(default_factory=dict)
    pseudonymiser: Pseudonymiser | None = None
    mapping: pl.DataFrame | None = None  # code_system, code, cluster
    _reasons: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _lookups: dict[str, RegisterLookup] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._lookups = {
            name: codes if isinstance(codes, RegisterLookup) else RegisterLookup.of(codes)
            for name, codes in self.registers.items()
        }

    @property
    def identity(self) -> str | None:
        if not self.contract.person_level:
            return None
        return NHS_NUMBER if NHS_NUMBER in self.present else PERSON_ID

    def _reason(self, column: str, reason: str) -> int:
        """The code of ``reason`` for ``column`` (1-based index in the column's list)."""
        reasons = self._reasons.setdefault(column, [])
        if reason not in reasons:
            reasons.append(reason)
        return reasons.index(reason) + 1

    def _checks(self, col: Column, raw: pl.Expr, typed: pl.Expr, bad_type: str | None) -> pl.Expr:
        """The column's problem code: the first failing check, in the documented order."""
        name = col.name
        missing = 0 if col.nullable else self._reason(name, "missing value")
        checks = [(raw.is_null(), missing)]
        if bad_type:
            checks.append((typed.is_null(), self._reason(name, bad_type)))
        if col.codes:
            reason = "code not in the contract's list"
            checks.append((~raw.is_in(list(col.codes)), self._reason(name, reason)))
        if col.pattern:
            reason = f"does not match {col.pattern}"
            checks.append((~raw.str.contains(col.pattern), self._reason(name, reason)))
        if col.minimum is not None:
            reason = f"less than {col.minimum:g}"
            checks.append((typed < col.minimum, self._reason(name, reason)))
        if col.type in {ColType.DATE, ColType.MONTH, ColType.DATE_OR_MONTH, ColType.TIMESTAMP}:
            day = typed.cast(pl.Date)
            if col.not_future:
                reason = f"in the future (after {self.today})"
                checks.append((day > self.today, self._reason(name, reason)))
            checks.append((day < EARLIEST, self._reason(name, "before 1900")))
        return _code(checks)

    def _identity(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.Expr]]:
        """Check the identity column; NHS numbers are replaced here by their pseudonyms."""
        ident = self.identity
        if ident is None:
            return frame, []
        raw = pl.col(ident)
        frame = with_nhs_number_checks(frame, ident)
        checks = [(failed, self._reason(ident, r)) for failed, r in NHS_NUMBER_CHECKS]
        if ident == NHS_NUMBER:
            code = _code([(raw.is_null(), self._reason(NHS_NUMBER, "missing value")), *checks])
            frame = frame.with_columns(code.alias(_p(NHS_NUMBER)))
            assert self.pseudonymiser is not None  # noqa: S101 - set whenever nhs_number is present
            valid = frame.select(pl.when(pl.col(_p(NHS_NUMBER)) == 0).then(pl.col("_nhs")))
            person = self.pseudonymiser.numbers(valid.to_series()).alias(PERSON_ID)
            return frame.drop("_nhs", "_nhs_check").with_columns(person), []
        col = self.contract.column(PERSON_ID)
        looks_raw = raw.is_not_null() & ~pl.any_horizontal(failed for failed, _ in checks)
        refused = self._reason(PERSON_ID, REFUSED)
        code = pl.when(looks_raw).then(pl.lit(refused, pl.UInt8))
        code = code.otherwise(self._checks(col, raw, raw, None))
        frame = frame.with_columns(code.alias(_p(PERSON_ID))).drop("_nhs", "_nhs_check")
        return frame, []

    def _map_clusters(self, frame: pl.DataFrame) -> pl.DataFrame:
        if "cluster" in self.present or self.mapping is None or self.contract.name != "conditions":
            return frame
        mapped = frame.drop("cluster").join(
            self.mapping, on=["code_system", "code"], how="left", maintain_order="left"
        )
        unmapped = pl.col("cluster").is_null() & pl.col("code").is_not_null()
        return mapped.with_columns(unmapped.alias("_m_code"))

    def check(self, chunk: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The rows that pass, typed as in the lake, and the problems (line, column, value,
        reason)."""
        c = self.contract
        text = [n for n, t in chunk.schema.items() if n != "_line" and t == _TEXT]
        frame = chunk.with_columns(pl.col(n).str.strip_chars() for n in text)
        frame = frame.with_columns(pl.col(n).replace("", None) for n in text)
        missing = [col.name for col in c.columns if col.name not in frame.columns]
        if missing:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(n) for n in missing)
        frame = self._map_clusters(frame)
        frame, codes = self._identity(frame)
        columns = [col for col in c.columns if col.name != PERSON_ID]
        typed: dict[str, str | None] = {}
        exprs: list[pl.Expr] = []
        for col in columns:
            value, typed[col.name] = _typed(col, pl.col(col.name), frame.schema[col.name])
            exprs.append(value.alias(_t(col.name)))
        frame = frame.lazy().with_columns(exprs).collect()
        frame = self._fallbacks(frame, columns)
        codes += [
            self._checks(col, pl.col(col.name), pl.col(_t(col.name)), typed[col.name]).alias(
                _p(col.name)
            )
            for col in columns
        ]
        frame = frame.lazy().with_columns(codes).collect()
        if "_m_code" in frame.columns:
            unmapped = self._reason("code", "code not in the mapping file")
            frame = frame.with_columns(
                pl.when(pl.col("_m_code"))
                .then(pl.lit(unmapped, pl.UInt8))
                .otherwise(pl.col(_p("code")))
                .alias(_p("code")),
                pl.when(pl.col("_m_code"))
                .then(pl.lit(0, pl.UInt8))
                .otherwise(pl.col(_p("cluster")))
                .alias(_p("cluster")),
            ).drop("_m_code")
        frame = self._registers(frame)
        frame = self._row_checks(frame)
        return self._split(frame)

    def _fallbacks(self, frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
        """Parse, in the other accepted formats, only the text the common format did not read."""
        for col in columns:
            if frame.schema[col.name] != _TEXT:
                continue
            failed = frame.select(
                (pl.col(_t(col.name)).is_null() & pl.col(col.name).is_not_null()).arg_true()
            ).to_series()
            if failed.is_empty():
                continue
            parsed = _fallback(col, frame[col.name].gather(failed))
            if parsed is not None and parsed.null_count() < len(parsed):
                frame = frame.with_columns(frame[_t(col.name)].scatter(failed, parsed))
        return frame

    def _event_day(self) -> pl.Expr | None:
        if self.contract.event_date is None:
            return None
        return pl.col(_t(self.contract.event_date)).cast(pl.Date)

    def _registers(self, frame: pl.DataFrame) -> pl.DataFrame:
        event = self._event_day()
        day = event if event is not None else pl.lit(None, pl.Date)
        at = f" on the {c} date" if (c := self.contract.event_date) else ""
        for name, register in self._lookups.items():
            level = " or ".join(self.contract.column(name).register)
            unknown = self._reason(name, f"not a {level} code in the structure register")
            not_in_force = self._reason(name, f"{level} code not in force{at}")
            found = (
                frame.select(pl.col(name).alias("code"), day.alias("_day"), pl.col(_p(name)))
                .join(register.lookup, on="code", how="left", maintain_order="left")
                .with_row_index("_i")
            )
            candidate = (pl.col(_p(name)) == 0) & pl.col("code").is_not_null()
            single_ok = pl.col("_day").is_null() | (
                (pl.col("_from") <= pl.col("_day"))
                & (pl.col("_to").is_null() | (pl.col("_day") < pl.col("_to")))
            )
            code = (
                pl.when(candidate & pl.col("_n").is_null())
                .then(pl.lit(unknown, pl.UInt8))
                .when(candidate & (pl.col("_n") == 1) & ~single_ok)
                .then(pl.lit(not_in_force, pl.UInt8))
                .otherwise(pl.col(_p(name)))
            )
            result = found.select(code.alias(_p(name))).to_series()
            if not register.multi.is_empty():
                several = found.filter(
                    candidate & (pl.col("_n") > 1) & pl.col("_day").is_not_null()
                )
                if not several.is_empty():
                    verdict = (
                        several.select("_i", "code", "_day")
                        .join(register.multi, on="code")
                        .group_by("_i")
                        .agg(
                            (
                                (pl.col("valid_from") <= pl.col("_day"))
                                & (
                                    pl.col("valid_to").is_null()
                                    | (pl.col("_day") < pl.col("valid_to"))
                                )
                            )
                            .any()
                            .alias("_ok")
                        )
                        .filter(~pl.col("_ok"))
                    )
                    if not verdict.is_empty():
                        result = result.scatter(
                            verdict["_i"], pl.repeat(not_in_force, verdict.height, eager=True)
                        )
            frame = frame.with_columns(result.cast(pl.UInt8))
        return frame

    def _row_checks(self, frame: pl.DataFrame) -> pl.DataFrame:
        updates = []
        for name in self.contract.checks:
            earlier, later, reason = CHECKS[name]
            code = self._reason(later, reason)
            bad = (
                (pl.col(_p(earlier)) == 0)
                & (pl.col(_p(later)) == 0)
                & (pl.col(_t(later)) < pl.col(_t(earlier)))
            )
            updates.append(
                pl.when(bad)
                .then(pl.lit(code, pl.UInt8))
                .otherwise(pl.col(_p(later)))
                .alias(_p(later))
            )
        return frame.with_columns(updates) if updates else frame

    def _split(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        c = self.contract
        problem_cols = [n for n in frame.columns if n.startswith("_p_")]
        bad = pl.any_horizontal(pl.col(n) != 0 for n in problem_cols)
        frame = frame.with_columns(bad.alias("_bad"))
        out = [pl.col(PERSON_ID)] if c.person_level else []
        out += [pl.col(_t(col.name)).alias(col.name) for col in c.columns if col.name != PERSON_ID]
        out += [
            pl.col(d.source)
            .replace_strict(d.groups, default=None, return_dtype=pl.String)
            .alias(d.name)
            for d in c.derived
        ]
        good = (
            frame.lazy()
            .filter(~pl.col("_bad"))
            .select([*out, pl.col("_line").alias("source_line")])
        )
        rejected = frame.filter(pl.col("_bad"))
        if rejected.is_empty():
            return good.collect(), pl.DataFrame(schema=PROBLEMS)
        parts = []
        for name in problem_cols:
            column = name.removeprefix("_p_")
            reasons = dict(enumerate(self._reasons.get(column, []), start=1))
            if not reasons:
                continue
            secret = column == NHS_NUMBER or (column == PERSON_ID and self.identity == NHS_NUMBER)
            shown = pl.col(column).cast(pl.String).fill_null("").str.slice(0, 80)
            value = pl.lit(REDACTED) if secret else shown
            if column == PERSON_ID and not secret:
                refused = self._reason(PERSON_ID, REFUSED)
                value = pl.when(pl.col(name) == refused).then(pl.lit(REDACTED)).otherwise(value)
            parts.append(
                rejected.filter(pl.col(name) != 0).select(
                    pl.col("_line").alias("line"),
                    pl.lit(column).alias("column"),
                    value.alias("value"),
                    pl.col(name).replace_strict(reasons, return_dtype=pl.String).alias("reason"),
                )
            )
        return good.collect(), pl.concat(parts).sort("line", maintain_order=True)
