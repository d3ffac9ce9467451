"""The structure as at one date, as small tables for the engines (built from the register).

* ``lsoa_map`` — LSOA → IMD decile (IMD 2025, national deciles: 1 = most deprived tenth).
* ``practice_levels`` / ``lsoa_levels`` / ``org_levels`` — a *leaf* (practice, LSOA or
  organisation) → its code and parent at every level of the registered, resident and provider
  bases (``<level>_code``, ``<level>_parent``).
* ``ons_population`` — ONS mid-year estimates by 2021 LSOA, sex (``M``/``F``; ``U`` where only
  persons are given), single year of age (0-90, 90 = 90+) and year (2011 LSOAs are split by the
  register's LSOA map shares).

All periods are computed on this one structure, so a merged system's history is shown on the
boundaries of the chosen date (and on the old boundaries by choosing an earlier date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine, select

from icsys.domain.codes import ENGLAND_CODE
from icsys.domain.levels import Level, Relation
from icsys.reference.register import Snapshot
from icsys.store import models as m

AGES = 91


@dataclass(frozen=True)
class Structure:
    """The structure tables of one date (Arrow), and the date."""

    as_of: date
    tables: dict[str, pa.Table]


def _levels_table(rows: list[dict[str, str | None]], levels: tuple[str, ...]) -> pa.Table:
    names = ["leaf"] + [f"{lv}_{k}" for lv in levels for k in ("code", "parent")]
    return pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})


REGISTERED = ("pcn", "place", "sub_icb", "system", "region", "england")
RESIDENT = ("place", "sub_icb", "system", "region", "england")
PROVIDER = ("trust", "system", "region", "england")


def _upper(system: str | None, region_of: dict[str, str]) -> dict[str, str | None]:
    region = region_of.get(system or "") if system else None
    return {
        "system_code": system,
        "system_parent": region,
        "region_code": region,
        "region_parent": ENGLAND_CODE if region else None,
        "england_code": ENGLAND_CODE,
        "england_parent": None,
    }


def build_structure(engine: Engine, as_of: date) -> Structure:
    """The structure tables as at ``as_of``."""
    snap = Snapshot(engine, as_of)
    region_of = snap.region_of_system
    system_of_sub = snap.system_of_sub_icb
    configured = _configured_members(snap)
    configured_systems = {r.system_code for r in snap.places() if "members" in r.extra}

    lsoas = sorted(set(snap.sub_icb_of_lsoa) | set(snap.lad_of_lsoa))
    deciles = snap.imd_decile
    lsoa_rows = []
    for lsoa in lsoas:
        sub = snap.sub_icb_of_lsoa.get(lsoa)
        system = system_of_sub.get(sub or "")
        place = configured.get(("lsoa21", lsoa)) or configured.get(
            ("lad", snap.lad_of_lsoa.get(lsoa, ""))
        )
        if place is None and system and system not in configured_systems:
            place = snap.lad_of_lsoa.get(lsoa)
        lsoa_rows.append(
            {
                "leaf": lsoa,
                "place_code": place,
                "place_parent": system if place else None,
                "sub_icb_code": sub,
                "sub_icb_parent": system,
                **_upper(system, region_of),
            }
        )
    practice_rows = []
    for practice in snap.codes(Level.PRACTICE):
        sub = snap.sub_icb_of_practice.get(practice)
        pcn = snap.pcn_of_practice.get(practice)
        system = system_of_sub.get(sub or "")
        place = (
            configured.get(("practice", practice))
            or configured.get(("pcn", pcn or ""))
            or configured.get(("sub_icb", sub or ""))
        )
        practice_rows.append(
            {
                "leaf": practice,
                "pcn_code": pcn,
                "pcn_parent": sub if pcn else None,
                "place_code": place,
                "place_parent": system if place else None,
                "sub_icb_code": sub,
                "sub_icb_parent": system,
                **_upper(system, region_of),
            }
        )
    org_rows = [
        {
            "leaf": r.code,
            "trust_code": r.code,
            "trust_parent": r.system_code,
            **_upper(r.system_code, region_of),
        }
        for r in snap.rows(Level.TRUST)
    ]
    org_rows += [{"leaf": r["leaf"], **_upper(r["system_code"], region_of)} for r in practice_rows]
    org_rows += [
        {"leaf": pcn, **_upper(system_of_sub.get(sub), region_of)}
        for pcn, sub in snap.sub_icb_of_pcn.items()
    ]
    org_rows += [{"leaf": r.code, **_upper(r.system_code, region_of)} for r in snap.rows(Level.LAD)]
    lsoa_map = pa.table(
        {
            "lsoa_code": pa.array(lsoas, pa.string()),
            "imd_decile": pa.array([deciles.get(c) for c in lsoas], pa.int64()),
        }
    )
    return Structure(
        as_of,
        {
            "lsoa_map": lsoa_map,
            "practice_levels": _levels_table(practice_rows, REGISTERED),
            "lsoa_levels": _levels_table(lsoa_rows, RESIDENT),
            "org_levels": _levels_table(_dedupe(org_rows), PROVIDER),
            "ons_population": ons_population(engine, snap),
        },
    )


def _dedupe(rows: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    seen: dict[str | None, dict[str, str | None]] = {}
    for row in rows:
        seen.setdefault(row["leaf"], row)
    return list(seen.values())


def _configured_members(snap: Snapshot) -> dict[tuple[str, str], str]:
    """(member level, member code) → place code, for the places configured at the date."""
    members: dict[tuple[str, str], str] = {}
    for row in snap.places():
        listed = row.extra.get("members")
        if not isinstance(listed, str):
            continue
        for code in listed.split(","):
            for level in ("lsoa21", "lad", "practice", "pcn", "sub_icb"):
                members.setdefault((level, code), row.code)
    return members


def ons_population(engine: Engine, snap: Snapshot) -> pa.Table:
    """Single-year-of-age estimates per 2021 LSOA, sex and year (2011 LSOAs split by shares)."""
    pop = m.population
    query = select(pop.c.level, pop.c.code, pop.c.year, pop.c.sex, pop.c.ages).where(
        pop.c.level.in_([Level.LSOA21.value, Level.LSOA11.value]), pop.c.sex.in_(["M", "F", "P"])
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    mapping = snap._parents(Level.LSOA11, Level.LSOA21, Relation.LSOA_MAP)  # noqa: SLF001
    have21 = {year for level, _c, year, _s, _a in rows if level == Level.LSOA21}
    by_sex = {(level, code, year) for level, code, year, sex, _a in rows if sex != "P"}
    cells: dict[tuple[int, str, str], int] = {}  # (year, 2021 LSOA, sex) -> its number
    given: list[str] = []  # the ages of each row read
    into: list[tuple[int, int, float]] = []  # (row read, cell, share)
    for level, code, year, sex_code, ages in rows:
        if sex_code == "P" and (level, code, year) in by_sex:
            continue  # persons are the sum of the sexes given
        sex = "U" if sex_code == "P" else sex_code
        if level == Level.LSOA21:
            targets = [(code, 1.0)]
        elif year in have21:
            continue
        else:
            targets = [(new, share or 1.0) for new, share in mapping.get(code, [])]
        for new, share in targets:
            cell = cells.setdefault((year, new, sex), len(cells))
            into.append((len(given), cell, share))
        given.append(ages)
    counts = _ages_matrix(given)
    sums = np.zeros((len(cells), AGES))
    if into:
        read, cell_of, shares = (np.asarray(x) for x in zip(*into, strict=True))
        # in the rows' order, as a running sum per cell would add them
        np.add.at(sums, cell_of, counts[read] * shares[:, None])
    keys = sorted(cells)
    ordered = sums[np.array([cells[k] for k in keys], dtype=np.int64)]
    cell_rows, ages_out = np.nonzero(ordered)
    return pa.table(
        {
            "year": pa.array(np.array([k[0] for k in keys], np.int64)[cell_rows]),
            "lsoa_code": pa.array([k[1] for k in keys], pa.string()).take(cell_rows),
            "sex": pa.array([k[2] for k in keys], pa.string()).take(cell_rows),
            "age": pa.array(ages_out.astype(np.int64)),
            "population": pa.array(ordered[cell_rows, ages_out], pa.float64()),
        }
    )


def _ages_matrix(given: list[str]) -> npt.NDArray[np.float64]:
    """Comma-separated counts by single year of age → a matrix of :data:`AGES` columns (ages
    past the last are dropped, missing ones are 0)."""
    split = pc.split_pattern(pa.array(given, pa.string()), ",")
    lengths = pc.list_value_length(split).to_numpy(zero_copy_only=False).astype(np.int64)
    values = pc.list_flatten(split).cast(pa.float64()).to_numpy(zero_copy_only=False)
    row = np.repeat(np.arange(len(given)), lengths)
    age = np.arange(len(values)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    matrix = np.zeros((len(given), AGES))
    kept = age < AGES
    matrix[row[kept], age[kept]] = values[kept]
    return matrix
