"""Populations: ONS small-area estimates by single year of age, GP registered list sizes, QOF."""

from __future__ import annotations

from datetime import date

from icsys.domain.levels import Level, Relation
from icsys.errors import InputFileError
from icsys.reference.columns import Kind, parse_column
from icsys.reference.formats._common import (
    RowCheck,
    field,
    has_columns,
    header_index,
    row_width,
    year_from_name,
)
from icsys.reference.parsed import Parsed
from icsys.reference.reading import Table

AGES = [str(a) for a in range(90)] + ["90+"]


def sya_score(table: Table) -> tuple[float, list[str]]:
    lsoa = [parse_column(h) for h in table.first]
    if not any(k and k.level == "lsoa" and k.kind is Kind.CODE for k in lsoa):
        return 0.0, []
    present, missing = has_columns(table.first, *AGES)
    return present / len(AGES), missing


def parse_sya(table: Table, parsed: Parsed) -> None:
    """Mid-year persons estimates, one row per LSOA with ages 0..89 and 90+."""
    code_pos, column, geography = next(
        (pos, h, key.geography)
        for pos, h in enumerate(table.first)
        if (key := parse_column(h)) and key.level == "lsoa" and key.kind is Kind.CODE
    )
    index = header_index(table.first)
    age_pos = [index[a.replace("+", "")] for a in AGES]
    total_pos = index.get("totalpopulation") or index.get("allages")
    year = (
        parsed.valid_from_override.year if parsed.valid_from_override else None
    ) or year_from_name(table.label)
    if year is None:
        raise InputFileError(
            "the mid-year of these population estimates is not in the file",
            path=table.label,
            expected="a file name containing it (e.g. population_mid2020_…) "
            "or --valid-from 2020-06-30",
        )
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        code = field(row, code_pos)
        if code.startswith("W"):
            parsed.skip("Welsh area (icsys covers England)")
            continue
        check.gss(column, code, Level(geography))
        try:
            counts: list[int | None] = [int(row[p]) for p in age_pos]
        except ValueError:
            counts = [check.integer(table.first[p], field(row, p), low=0) for p in age_pos]
        if any(c is not None and c < 0 for c in counts):
            check.fail("(ages)", "", "expected counts of at least 0")
        total = sum(c or 0 for c in counts)
        stated = (
            check.integer("total_population", field(row, total_pos), low=0)
            if total_pos is not None
            else total
        )
        if stated is not None and stated != total:
            check.fail("total_population", str(stated), f"expected the sum of the ages ({total})")
        if check.ok:
            ages = ",".join(str(c) for c in counts)
            parsed.population.append((geography, code, year, "P", total, ages))
    parsed.attributes.append(
        (Level.ENGLAND, "E92000001", f"population_{year}_loaded", date(year, 6, 30), 1.0, None)
    )


_GP_REG = ("EXTRACT_DATE", "CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS")


def gp_reg_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_GP_REG)
    return present / len(_GP_REG), missing


def parse_gp_reg(table: Table, parsed: Parsed) -> None:
    """NHS Digital 'Patients registered at a GP practice' (totals per practice)."""
    index = header_index(table.first)
    pos = {c: index[c.lower().replace("_", "")] for c in _GP_REG}
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        if field(row, pos["SEX"]).upper() != "ALL" or field(row, pos["AGE"]).upper() != "ALL":
            parsed.skip("breakdown by sex or age (only practice totals are loaded)")
            continue
        code = check.ods("CODE", field(row, pos["CODE"]), Level.PRACTICE)
        when = check.date("EXTRACT_DATE", field(row, pos["EXTRACT_DATE"]), required=True)
        count = check.integer("NUMBER_OF_PATIENTS", field(row, pos["NUMBER_OF_PATIENTS"]), low=0)
        if check.ok and when is not None:
            parsed.attributes.append(
                (Level.PRACTICE, code, "registered_patients", when, count, None)
            )


_QOF = ("year", "practice_code", "group_code", "register", "practice_list_size")
_QOF_GEO = ("year", "practice_code", "practice_name", "icb_ods_code")


def qof_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_QOF)
    return present / len(_QOF), missing


def qof_geo_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_QOF_GEO)
    return present / len(_QOF_GEO), missing


def _financial_year(check: RowCheck, text: str) -> tuple[date, date] | None:
    try:
        start = int(text[:4])
    except ValueError:
        check.fail("year", text, "expected a financial year like 2024-25")
        return None
    return date(start, 4, 1), date(start + 1, 4, 1)


def parse_qof(table: Table, parsed: Parsed) -> None:
    """QOF register and list size by practice and year (list size is the group's denominator)."""
    index = header_index(table.first)
    pos = {c: index[c.replace("_", "")] for c in _QOF}
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        year = _financial_year(check, field(row, pos["year"]))
        code = check.ods("practice_code", field(row, pos["practice_code"]), Level.PRACTICE)
        group = check.required("group_code", field(row, pos["group_code"])).lower()
        register = check.integer("register", field(row, pos["register"]), low=0)
        size = check.integer("practice_list_size", field(row, pos["practice_list_size"]), low=0)
        if check.ok and year is not None:
            end = date(year[1].year, 3, 31)
            parsed.attributes.append(
                (Level.PRACTICE, code, f"qof_{group}_register", end, register, None)
            )
            parsed.attributes.append(
                (Level.PRACTICE, code, f"qof_{group}_list_size", end, size, None)
            )


def parse_qof_geo(table: Table, parsed: Parsed) -> None:
    """QOF practice geography: which ICB each practice reported under, year by year."""
    index = header_index(table.first)
    pos = {c: index[c.replace("_", "")] for c in _QOF_GEO}
    rows = []
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        year = _financial_year(check, field(row, pos["year"]))
        code = check.ods("practice_code", field(row, pos["practice_code"]), Level.PRACTICE)
        icb = check.ods("icb_ods_code", field(row, pos["icb_ods_code"]), Level.SYSTEM)
        if check.ok and year is not None:
            rows.append((code, icb, year))
    latest = max((y[0] for _, _, y in rows), default=None)
    for code, icb, (start, end) in rows:
        parsed.link(
            Relation.PARENT, Level.PRACTICE, code, "system_ods", icb, start, end, snapshot=latest
        )
