"""ONS and NHS geography lookups and names-and-codes files, of any vintage.

One generic reader covers every lookup whose columns are geography columns
(``LSOA21CD``/``lsoa21_code``, ``SICBL24CD``, ``ICB24CDH``, ``LAD24NM``, ``NHSER22CD`` …): each
entity with a code column is asserted in force from its vintage's date, and each adjacent pair
in the two hierarchies (LSOA → sub-ICB → ICB → NHS region; LSOA → LAD → ONS region) becomes a
dated parent edge. Two LSOA vintages in one file give the LSOA 2011 → 2021 mapping.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from icsys.domain import codes
from icsys.domain.levels import Level, Relation
from icsys.errors import InputFileError
from icsys.reference.columns import ColumnKey, Kind, normalise, parse_column, vintage_date
from icsys.reference.formats._common import RowCheck, field, row_width
from icsys.reference.parsed import Parsed
from icsys.reference.reading import Table

_EXTRAS = {"objectid", "fid", "changecode", "imd19", "globalid", "shapearea", "shapelength"}
_REGISTERED = ("lsoa", Level.SUB_ICB, Level.SYSTEM, Level.NHS_REGION)
_RESIDENT = ("lsoa", Level.LAD, Level.ONS_REGION)


@dataclass(frozen=True, eq=False)
class _Group:
    level: str
    vintage: int
    columns: dict[Kind, int]
    headers: dict[Kind, str]

    @property
    def geography(self) -> str:
        return ColumnKey(self.level, self.vintage, Kind.CODE).geography


def _groups(header: list[str]) -> list[_Group]:
    found: dict[tuple[str, int], dict[Kind, tuple[int, str]]] = defaultdict(dict)
    for pos, name in enumerate(header):
        key = parse_column(name)
        if key is not None and key.level != "ward":
            found[(key.level, key.vintage)].setdefault(key.kind, (pos, name))
    return [
        _Group(
            level,
            vintage,
            {k: p for k, (p, _) in cols.items()},
            {k: n for k, (_, n) in cols.items()},
        )
        for (level, vintage), cols in found.items()
    ]


def score(table: Table) -> tuple[float, list[str]]:
    """Share of the columns that are geography columns (a lookup is nothing else)."""
    names = [normalise(h) for h in table.first]
    if not names:
        return 0.0, []
    geo = sum(1 for h in table.first if parse_column(h) is not None)
    extra = sum(1 for n in names if n in _EXTRAS)
    if geo < 2:
        return 0.0, []
    return (geo + extra) / len(names), []


def _check_groups(table: Table, groups: list[_Group]) -> None:
    for group in groups:
        if Kind.CODE not in group.columns:
            present = ", ".join(group.headers.values())
            raise InputFileError(
                f"has {present} but no code column for that geography",
                path=table.label,
                line=1,
                column=present,
                expected=f"a column like {group.level.upper()}{group.vintage}CD "
                f"or {group.level}{group.vintage}_code",
            )


def _chain_pairs(groups: list[_Group]) -> list[tuple[_Group, _Group]]:
    pairs: list[tuple[_Group, _Group]] = []
    for chain in (_REGISTERED, _RESIDENT):
        present = [
            max((g for g in groups if g.level == level), key=lambda g: g.vintage)
            for level in chain
            if any(g.level == level for g in groups)
        ]
        pairs.extend(pairwise(present))
    return pairs


@dataclass(frozen=True, eq=False)
class _Column:
    """How one coded geography column is read: precomputed once per file."""

    group: _Group
    pos: int
    header: str
    geography: str
    level: Level
    valid_from: date
    name_pos: int | None
    ods_pos: int | None
    may_be_empty: bool


def _plan(coded: list[_Group]) -> list[_Column]:
    optional = {Level.SYSTEM, Level.SUB_ICB, Level.NHS_REGION}
    return [
        _Column(
            g,
            g.columns[Kind.CODE],
            g.headers[Kind.CODE],
            g.geography,
            Level(g.geography),
            vintage_date(g.level, g.vintage),
            g.columns.get(Kind.NAME),
            g.columns.get(Kind.ODS),
            g.level in optional,
        )
        for g in coded
    ]


def _read_codes(check: RowCheck, row: list[str], plan: list[_Column]) -> dict[_Group, str] | None:
    """The row's codes, or ``None`` when the row is out of scope (Welsh)."""
    values = {c.group: row[c.pos].strip() for c in plan}
    if any(v[:1] == "W" and codes.is_welsh(v) for v in values.values()):
        check.parsed.skip("Welsh area (icsys covers England)")
        return None
    for column in plan:
        value = values[column.group]
        if value or not column.may_be_empty:
            check.gss(column.header, value, column.level)
    return values


_Link = tuple[_Group, _Group, str, str, date]


def _emit(
    parsed: Parsed,
    row: list[str],
    values: dict[_Group, str],
    plan: list[_Column],
    links: list[_Link],
) -> None:
    for column in plan:
        if value := values[column.group]:
            name, ods = field(row, column.name_pos), field(row, column.ods_pos)
            parsed.exists(column.geography, value, column.valid_from, name=name, ods=ods)
    for child, parent, child_geo, parent_geo, when in links:
        child_code, parent_code = values[child], values[parent]
        if child_code and parent_code:
            parsed.link(Relation.PARENT, child_geo, child_code, parent_geo, parent_code, when)


def parse(table: Table, parsed: Parsed) -> None:
    groups = _groups(table.first)
    _check_groups(table, groups)
    coded = [g for g in groups if Kind.CODE in g.columns]
    links: list[_Link] = [
        (c, p, c.geography, p.geography, vintage_date(p.level, p.vintage))
        for c, p in _chain_pairs(groups)
        if Kind.CODE in c.columns and Kind.CODE in p.columns
    ]
    lsoas = sorted((g for g in coded if g.level == "lsoa"), key=lambda g: g.vintage)
    imd_pos = next((i for i, h in enumerate(table.first) if normalise(h) == "imd19"), None)
    lsoa_map: dict[str, list[tuple[int, str]]] = defaultdict(list)
    width = len(table.first)
    plan = _plan(coded)
    for line, row in table.rows:
        parsed.rows_read += 1
        check = RowCheck(parsed, line)
        if not row_width(check, row, width):
            continue
        values = _read_codes(check, row, plan)
        if values is None:
            continue
        rank = None
        if imd_pos is not None:
            rank = check.integer(table.first[imd_pos], field(row, imd_pos), low=1)
        if not check.ok:
            continue
        _emit(parsed, row, values, plan, links)
        if len(lsoas) == 2:
            lsoa_map[values[lsoas[0]]].append((line, values[lsoas[1]]))
        if rank is not None and lsoas:
            old = lsoas[0]
            parsed.deprivation.append(
                ("imd2019", old.geography, values[old], None, rank, None, "{}")
            )
    if len(lsoas) == 2:
        _lsoa_mapping(parsed, lsoas, lsoa_map)


def _lsoa_mapping(
    parsed: Parsed, lsoas: list[_Group], mapping: dict[str, list[tuple[int, str]]]
) -> None:
    old, new = lsoas
    when = vintage_date(new.level, new.vintage)
    for old_code, targets in mapping.items():
        share = 1.0 / len(targets)
        for _line, new_code in targets:
            parsed.link(
                Relation.LSOA_MAP,
                old.geography,
                old_code,
                new.geography,
                new_code,
                when,
                share=share,
            )
