"""Indices of Deprivation (2019 on LSOA 2011, 2025 on LSOA 2021), rurality, Fingertips values."""

from __future__ import annotations

import json
import re
from datetime import date

from icsys.domain.levels import Level
from icsys.reference.columns import Kind, normalise, parse_column
from icsys.reference.formats._common import RowCheck, field, has_columns, header_index, row_width
from icsys.reference.parsed import Parsed
from icsys.reference.reading import Table

EDITION_DATES = {"imd2019": date(2019, 9, 26), "imd2025": date(2025, 10, 30)}
_MEASURE = re.compile(r"^(?P<domain>[a-z_]+?)_(?P<measure>decile|rank|score)$")


def _lsoa_column(table: Table) -> tuple[int, str, str] | None:
    for pos, name in enumerate(table.first):
        key = parse_column(name)
        if key and key.level == "lsoa" and key.kind is Kind.CODE:
            return pos, name, key.geography
    return None


def _measures(table: Table) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for pos, name in enumerate(table.first):
        cleaned = re.sub(r"\s*\(.*\)$", "", name.strip()).lower().replace(" ", "_")
        match = _MEASURE.match(cleaned)
        if match:
            found[(match["domain"], match["measure"])] = pos
    return found


def imd_score(table: Table) -> tuple[float, list[str]]:
    if _lsoa_column(table) is None:
        return 0.0, []
    measures = _measures(table)
    if not measures:
        return 0.0, []
    missing = [
        f"{d}_decile" for (d, m) in measures if m == "rank" and (d, "decile") not in measures
    ]
    return (len(measures) + 1) / len(table.first), missing


def parse_imd(table: Table, parsed: Parsed) -> None:
    """One row per LSOA: the overall IMD score, rank and decile, and every domain as JSON."""
    lsoa = _lsoa_column(table)
    assert lsoa is not None  # noqa: S101 - recognised by imd_score
    pos, column, geography = lsoa
    edition = "imd2019" if geography == Level.LSOA11 else "imd2025"
    measures = _measures(table)
    domains = sorted({d for d, _ in measures})
    plan: list[tuple[str, int | None, int | None, int | None]] = [
        (
            domain.lower(),
            measures.get((domain, "score")),
            measures.get((domain, "rank")),
            measures.get((domain, "decile")),
        )
        for domain in domains
    ]
    width = len(table.first)
    level = Level(geography)
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, width):
            continue
        code = check.gss(column, row[pos].strip(), level)
        values: dict[str, list[float | int | None]] = {}
        for domain, score_pos, rank_pos, decile_pos in plan:
            score = (
                check.number(table.first[score_pos], row[score_pos])
                if score_pos is not None
                else None
            )
            rank = (
                check.integer(table.first[rank_pos], row[rank_pos], low=1)
                if rank_pos is not None
                else None
            )
            decile = None
            if decile_pos is not None:
                decile = check.integer(table.first[decile_pos], row[decile_pos], low=1)
                if decile is not None and decile > 10:
                    check.fail(
                        table.first[decile_pos], str(decile), "expected a decile from 1 to 10"
                    )
            values[domain] = [score, rank, decile]
        if check.ok:
            imd = values.pop("imd", [None, None, None])
            parsed.deprivation.append(
                (edition, geography, code, imd[0], _int(imd[1]), _int(imd[2]), json.dumps(values))
            )
    parsed.notes.append(f"{edition}: {len(domains)} domains")
    parsed.attributes.append(
        (Level.ENGLAND, "E92000001", f"{edition}_loaded", EDITION_DATES[edition], 1.0, None)
    )


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def ruc_score(table: Table) -> tuple[float, list[str]]:
    if _lsoa_column(table) is None:
        return 0.0, []
    present, missing = has_columns(table.first, "ruc21_code", "classification")
    return (present + 1) / 3, missing


def parse_ruc(table: Table, parsed: Parsed) -> None:
    lsoa = _lsoa_column(table)
    assert lsoa is not None  # noqa: S101 - recognised by ruc_score
    pos, column, geography = lsoa
    index = header_index(table.first)
    code_pos, class_pos, ur_pos = index["ruc21code"], index["classification"], index.get("ruc")
    when = date(2021, 3, 21)
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        code = field(row, pos)
        if code.startswith("W"):
            parsed.skip("Welsh area (icsys covers England)")
            continue
        check.gss(column, code, Level(geography))
        ruc = field(row, code_pos)
        if not _RUC21.match(ruc):
            check.fail(
                table.first[code_pos], ruc, "expected a 2021 rural-urban code like UN1 or RSF1"
            )
        if not check.ok:
            continue
        parsed.attributes.append((geography, code, "ruc21_code", when, None, ruc))
        parsed.attributes.append(
            (geography, code, "ruc21_class", when, None, field(row, class_pos))
        )
        urban = field(row, ur_pos) or ("Urban" if ruc.startswith("U") else "Rural")
        parsed.attributes.append((geography, code, "urban_rural", when, None, urban))


_RUC21 = re.compile(r"^(U[NF]|R[LS][NF])1$")
_FT_COLUMNS = ("Indicator ID", "Indicator Name", "Area Code", "Area Type", "Time period", "Value")
_FT_LEVELS = {"gp": Level.PRACTICE, "gps": Level.PRACTICE, "england": Level.ENGLAND}


def fingertips_score(table: Table) -> tuple[float, list[str]]:
    present, missing = has_columns(table.first, *_FT_COLUMNS)
    return present / len(_FT_COLUMNS), missing


def parse_fingertips(table: Table, parsed: Parsed) -> None:
    """A Fingertips indicator export: values by GP practice (and England) as attributes."""
    index = header_index(table.first)
    pos = {name: index[normalise(name)] for name in _FT_COLUMNS}
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, len(table.first)):
            continue
        area_type = field(row, pos["Area Type"]).lower()
        level = _FT_LEVELS.get(area_type)
        if level is None:
            parsed.skip(f"Fingertips area type {field(row, pos['Area Type'])!r} is not loaded")
            continue
        year = check.integer("Time period", field(row, pos["Time period"])[:4], low=1990)
        value = check.number("Value", field(row, pos["Value"]))
        code = field(row, pos["Area Code"])
        if level is Level.PRACTICE:
            check.ods("Area Code", code, Level.PRACTICE)
        else:
            check.gss("Area Code", code, Level.ENGLAND)
        if check.ok and year is not None:
            name = f"fingertips_{field(row, pos['Indicator ID'])}"
            parsed.attributes.append((level, code, name, date(year, 1, 1), value, None))
