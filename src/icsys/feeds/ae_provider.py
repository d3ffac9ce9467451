"""The NHS England monthly A&E provider files, loaded as published.

``Monthly-AE-<Month>-<Year>.csv``: one row per provider and month with the published column
names (``Period, Org Code, Parent Org, Org name, A&E attendances Type 1, ...``). Two quirks are
handled here, not in the files: September 2024 has six extra empty trailing columns (the last
headed ``a``), ignored; every file ends with a total row (``TOTAL``/``Total`` in the first
columns), which is not data: it is counted as out of scope ("file total row") and used as a
reconciliation check: each of its figures must equal the sum of the loaded rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from icsys.feeds.contracts import ColType, Column, Contract

_MONTHS = {
    m: f"{i:02d}"
    for i, m in enumerate(
        (
            "JANUARY",
            "FEBRUARY",
            "MARCH",
            "APRIL",
            "MAY",
            "JUNE",
            "JULY",
            "AUGUST",
            "SEPTEMBER",
            "OCTOBER",
            "NOVEMBER",
            "DECEMBER",
        ),
        start=1,
    )
}
TOTAL_ROW = "file total row"

MEASURES: dict[str, str] = {
    "A&E attendances Type 1": "attendances_type1",
    "A&E attendances Type 2": "attendances_type2",
    "A&E attendances Other A&E Department": "attendances_other",
    "A&E attendances Booked Appointments Type 1": "attendances_booked_type1",
    "A&E attendances Booked Appointments Type 2": "attendances_booked_type2",
    "A&E attendances Booked Appointments Other Department": "attendances_booked_other",
    "Attendances over 4hrs Type 1": "over_4h_type1",
    "Attendances over 4hrs Type 2": "over_4h_type2",
    "Attendances over 4hrs Other Department": "over_4h_other",
    "Attendances over 4hrs Booked Appointments Type 1": "over_4h_booked_type1",
    "Attendances over 4hrs Booked Appointments Type 2": "over_4h_booked_type2",
    "Attendances over 4hrs Booked Appointments Other Department": "over_4h_booked_other",
    "Patients who have waited 4-12 hs from DTA to admission": "dta_wait_4_12h",
    "Patients who have waited 12+ hrs from DTA to admission": "dta_wait_over_12h",
    "Emergency admissions via A&E - Type 1": "emergency_admissions_type1",
    "Emergency admissions via A&E - Type 2": "emergency_admissions_type2",
    "Emergency admissions via A&E - Other A&E department": "emergency_admissions_other",
    "Other emergency admissions": "emergency_admissions_not_via_ae",
}


def _para(text: str) -> str:
    return " ".join(text.split())


_NOTES = (
    _para(
        """Each file's total row (`TOTAL` or `Total`) is counted as out of scope (`file total
    row`) and checked: each figure must equal the sum of the file's loaded rows, else it is
    quarantined with the columns that disagree."""
    ),
    _para(
        """Empty trailing columns (September 2024) are ignored. Organisation codes are not
    checked against the register: the files include walk-in centres, practices and independent
    providers that are not NHS trusts."""
    ),
)

AE_PROVIDER = Contract(
    "ae_provider_monthly",
    "published",
    "NHS England monthly A&E attendances and emergency admissions by provider, loaded from the "
    "published CSV files with their own column names.",
    (
        Column(
            "period",
            ColType.MONTH,
            "Month of activity (from e.g. MSitAE-APRIL-2025)",
            source="Period",
            not_future=True,
        ),
        Column(
            "org_code",
            ColType.STRING,
            "ODS code of the reporting organisation",
            source="Org Code",
            pattern=r"^[A-Z0-9]{3,6}$",
        ),
        Column(
            "parent_org", ColType.STRING, "NHS England region", source="Parent Org", nullable=True
        ),
        Column("org_name", ColType.STRING, "Organisation name", source="Org name", nullable=True),
        *(
            Column(name, ColType.INT, source, source=source, minimum=0)
            for source, name in MEASURES.items()
        ),
    ),
    key=("period", "org_code"),
    event_date="period",
    notes=_NOTES,
)


def period_to_month(expr: pl.Expr) -> pl.Expr:
    """``MSitAE-APRIL-2025`` → ``2025-04`` (other text is left for the date check to reject)."""
    parts = (
        expr.str.strip_chars().str.to_uppercase().str.extract_groups(r"^[A-Z]+-([A-Z]+)-(\d{4})$")
    )
    month = parts.struct.field("1").replace_strict(_MONTHS, default=None, return_dtype=pl.String)
    return pl.when(month.is_not_null()).then(parts.struct.field("2") + "-" + month).otherwise(expr)


@dataclass
class AeProviderAdapter:
    """Renames published columns, sets the total rows aside and checks them against the data."""

    totals: dict[str, dict[str, int]] = field(default_factory=dict)  # file → measure → total
    total_lines: dict[str, int] = field(default_factory=dict)
    sums: dict[str, dict[str, int]] = field(default_factory=dict)

    def rename(self, header: list[str]) -> dict[str, str]:
        by_source = {c.source.lower(): c.name for c in AE_PROVIDER.columns if c.source}
        return {h: by_source[h] for h in header if h in by_source}

    def prepare(self, file: str, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Split the total row off (returned as out-of-scope lines) and normalise the period."""
        is_total = pl.col("period").str.strip_chars().str.to_uppercase() == "TOTAL"
        total = df.filter(is_total)
        for row in total.iter_rows(named=True):
            self.total_lines[file] = int(row["_line"])
            self.totals[file] = {
                m: int(v)
                for m in MEASURES.values()
                if (v := str(row.get(m) or "").strip()).isdigit()
            }
        data = df.filter(~is_total).with_columns(period_to_month(pl.col("period")).alias("period"))
        return data, total.select("_line").with_columns(pl.lit(TOTAL_ROW).alias("reason"))

    def loaded(self, file: str, good: pl.DataFrame) -> None:
        sums = self.sums.setdefault(file, dict.fromkeys(MEASURES.values(), 0))
        for name, value in (
            good.select([pl.col(m).sum() for m in MEASURES.values()]).row(0, named=True).items()
        ):
            sums[name] += int(value or 0)

    def check(self, file: str) -> list[tuple[int, str, str, str]]:
        """Problems (line, column, value, reason) where the total row disagrees with the data."""
        if file not in self.totals:
            return []
        sums = self.sums.get(file, dict.fromkeys(MEASURES.values(), 0))
        return [
            (
                self.total_lines[file],
                name,
                str(total),
                f"file total row does not equal the sum of the loaded rows ({sums[name]})",
            )
            for name, total in self.totals[file].items()
            if sums[name] != total
        ]
