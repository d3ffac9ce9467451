"""The structure a synthetic population is placed in, read from the register as plain arrays.

Whatever is loaded in the store is used: the real England structure (33,755 LSOAs with IMD 2025
deciles, about 6,300 practices, trusts) when ``icsys reference load`` has read the published files,
else the synthetic world the demo loads. Only codes in force for the whole period are used, so
every code a generated row carries passes the feed contracts' dated register checks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, and_, or_, select

from icsys.domain.levels import Level, Relation
from icsys.errors import UserError
from icsys.reference.formats.ods import SYSTEM_ODS
from icsys.reference.register import Snapshot, code_intervals
from icsys.store import models as m
from icsys.synth.population.model import AGES

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ACUTE_TYPES = ("acute", "unknown")


@dataclass(frozen=True)
class Frame:
    """Areas and organisations as arrays (indices into the code tuples), picklable for workers."""

    lsoa_codes: tuple[str, ...]
    lsoa_sub_icb: IntArray  # index into sub_icb_codes
    lsoa_quintile: IntArray  # 0 = most deprived fifth .. 4
    lsoa_lad: IntArray  # index into lad_codes
    lsoa_ages: FloatArray  # (LSOAs, 91) persons by single year of age
    sub_icb_codes: tuple[str, ...]
    sub_icb_system: IntArray  # index into system_codes
    system_codes: tuple[str, ...]
    lad_codes: tuple[str, ...]
    lad_from_day: IntArray  # first day (days since 1970) the LAD code is in force
    practice_codes: tuple[str, ...]
    practice_sub_icb: IntArray
    practice_weight: FloatArray  # list size
    practice_from_day: IntArray
    trust_codes: tuple[str, ...]  # the trusts residents use (indices below), then ambulance trusts
    system_acute: tuple[tuple[int, ...], ...]
    system_mental_health: tuple[tuple[int, ...], ...]
    system_community: tuple[tuple[int, ...], ...]
    trust_kind: tuple[str, ...]  # per trust code: acute, mental_health, community, ambulance…
    trust_catchment: FloatArray  # per trust code: the population it serves (for its workforce)
    basis: str  # "England" (the published structure) or "synthetic world"

    @property
    def persons(self) -> float:
        return float(self.lsoa_ages.sum())

    def within(self, systems: tuple[str, ...]) -> Frame:
        """The frame with people living only in the LSOAs of ``systems`` (ICB codes, E54…):
        one integrated care system's population, as that system holds it, with its
        practices, PCNs and places at their real sizes. Moves stay within them too.

        Raises:
            UserError: for a code that is not a system of the structure, or systems where
                nobody lives.
        """
        known = {code: i for i, code in enumerate(self.system_codes)}
        unknown = [code for code in systems if code not in known]
        if unknown:
            raise UserError(
                f"no system {', '.join(unknown)} in the structure (systems are ICB codes such "
                f"as {', '.join(self.system_codes[:3])})"
            )
        chosen = np.isin(self.sub_icb_system[self.lsoa_sub_icb], [known[c] for c in systems])
        ages = np.where(chosen[:, None], self.lsoa_ages, 0.0)
        if not ages.sum() > 0:
            raise UserError(f"no LSOA of {', '.join(systems)} has a population estimate")
        return replace(self, lsoa_ages=ages, basis=f"{self.basis} ({', '.join(systems)})")


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _covering(intervals: list[tuple[date, date | None]], start: date, end: date) -> date | None:
    """The start of the interval in force throughout [start, end], if there is one."""
    for low, high in intervals:
        if low <= start and (high is None or high > end):
            return low
    return None


def _population(engine: Engine, snapshot: Snapshot, lsoas: dict[str, int]) -> FloatArray:
    """Persons by single year of age per 2021 LSOA (2011 estimates mapped by their shares)."""
    ages = np.zeros((len(lsoas), AGES), dtype=np.float64)
    p = m.population.c
    with engine.connect() as conn:
        rows = conn.execute(select(p.level, p.code, p.year, p.ages).where(p.sex == "P")).all()
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    for level, code, year, text in rows:
        if (level, code) not in latest or year > latest[(level, code)][0]:
            latest[(level, code)] = (year, text)
    mapping = snapshot._parents(Level.LSOA11, Level.LSOA21, Relation.LSOA_MAP)  # noqa: SLF001
    for (level, code), (_year, text) in latest.items():
        counts = np.array(text.split(","), dtype=np.float64)
        if level == Level.LSOA21 and code in lsoas:
            ages[lsoas[code]] += counts
        elif level == Level.LSOA11:
            for new, share in mapping.get(code, []):
                if new in lsoas:
                    ages[lsoas[new]] += counts * (share or 1.0)
    return ages


def _trusts(engine: Engine, snapshot: Snapshot, start: date, end: date) -> dict[str, list[str]]:
    """Open trusts in force throughout the period, grouped by kind, as {kind: [code@system]}."""
    intervals = code_intervals(engine, Level.TRUST)
    e = m.edge.c
    in_force = and_(
        e.valid_from <= end, or_(e.valid_to.is_(None), e.valid_to > end)
    )  # host system as at the end
    with engine.connect() as conn:
        hosts = dict(
            conn.execute(
                select(e.child, e.parent).where(
                    e.relation == Relation.PARENT,
                    e.child_level == Level.TRUST,
                    e.parent_level == SYSTEM_ODS,
                    in_force,
                )
            ).all()
        )
        types = dict(
            conn.execute(select(m.organisation.c.ods_code, m.organisation.c.trust_type)).all()
        )
    by_ods = {snapshot.ods(Level.SYSTEM, c): c for c in snapshot.codes(Level.SYSTEM)}
    found: dict[str, list[str]] = defaultdict(list)
    for code, spans in sorted(intervals.items()):
        if _covering(spans, start, end) is None:
            continue
        system = by_ods.get(hosts.get(code, ""), "")
        found[str(types.get(code) or "unknown")].append(f"{code}@{system}")
    return found


def read_frame(engine: Engine, *, start: date, end: date) -> Frame:
    """The structure in force from ``start`` (registrations, pathways may begin two years before
    it) to ``end``, as a :class:`Frame`."""
    snapshot = Snapshot(engine, end)
    lsoa_rows = [r for r in snapshot.rows(Level.LSOA21) if r.parent_code and r.system_code]
    if not lsoa_rows:
        raise UserError(
            f"no 2021 LSOAs are in force at {end} with a sub-ICB location; load reference data "
            "(`icsys reference load DIR`) or the demo world (`icsys demo`) first"
        )
    lsoa_index = {r.code: i for i, r in enumerate(lsoa_rows)}
    ages = _population(engine, snapshot, lsoa_index)
    keep = ages.sum(axis=1) > 0
    lsoa_rows = [r for r, k in zip(lsoa_rows, keep, strict=True) if k]
    ages = ages[keep]
    if not lsoa_rows:
        raise UserError("the register has no population estimates for its 2021 LSOAs")

    sub_icbs = sorted({str(r.parent_code) for r in lsoa_rows})
    sub_index = {c: i for i, c in enumerate(sub_icbs)}
    systems = sorted({snapshot.system_of_sub_icb.get(s, "") for s in sub_icbs})
    system_index = {c: i for i, c in enumerate(systems)}
    lad_intervals = code_intervals(engine, Level.LAD)
    lads = sorted({str(r.extra.get("lad_code") or "") for r in lsoa_rows})
    lad_from = [_lad_from(lad_intervals.get(lad, []), end) for lad in lads]
    lad_index = {c: i for i, c in enumerate(lads)}

    lookback = start - timedelta(days=2 * 366)
    practice_intervals = code_intervals(engine, Level.PRACTICE)
    practices = []
    for row in snapshot.rows(Level.PRACTICE):
        sub_icb = row.extra.get("sub_icb_code")
        opened = _covering(practice_intervals.get(row.code, []), start, end)
        if sub_icb in sub_index and opened is not None:
            practices.append(
                (row.code, sub_index[str(sub_icb)], row.extra.get("list_size"), opened)
            )
    sizes = [float(s) for _, _, s, _ in practices if isinstance(s, int | float) and s > 0]
    typical = float(np.median(sizes)) if sizes else 8000.0
    served = {p[1] for p in practices}
    missing = [s for i, s in enumerate(sub_icbs) if i not in served]
    if missing:
        raise UserError(
            f"{len(missing)} sub-ICB location(s) have no practice open from {start} to {end} "
            f"(e.g. {missing[0]}); choose another period"
        )

    trusts = _trusts(engine, snapshot, lookback, end)
    trust_codes: list[str] = []
    system_acute = _by_system(trusts, ACUTE_TYPES, systems, snapshot, trust_codes)
    system_mh = _by_system(trusts, ("mental_health",), systems, snapshot, trust_codes)
    system_community = _by_system(trusts, ("community",), systems, snapshot, trust_codes)
    if not trust_codes:
        raise UserError(f"no NHS trust is in force from {lookback} to {end}")
    # community services fall back to the system's acute trusts
    system_community = tuple(c or a for c, a in zip(system_community, system_acute, strict=True))
    system_population = np.bincount(
        [system_index[snapshot.system_of_sub_icb.get(str(r.parent_code), "")] for r in lsoa_rows],
        weights=ages.sum(axis=1),
        minlength=len(systems),
    )
    kinds, catchment = _catchments(
        trusts,
        trust_codes,
        {"acute": system_acute, "mental_health": system_mh, "community": system_community},
        dict(zip(systems, system_population.tolist(), strict=True)),
        {s: snapshot.region_of_system.get(s, "") for s in systems},
    )

    quintiles = [(int(str(r.extra.get("imd_decile") or 5)) - 1) // 2 for r in lsoa_rows]
    return Frame(
        lsoa_codes=tuple(r.code for r in lsoa_rows),
        lsoa_sub_icb=np.array([sub_index[str(r.parent_code)] for r in lsoa_rows], dtype=np.int64),
        lsoa_quintile=np.array(quintiles, dtype=np.int64),
        lsoa_lad=np.array(
            [lad_index[str(r.extra.get("lad_code") or "")] for r in lsoa_rows], dtype=np.int64
        ),
        lsoa_ages=ages,
        sub_icb_codes=tuple(sub_icbs),
        sub_icb_system=np.array(
            [system_index[snapshot.system_of_sub_icb.get(s, "")] for s in sub_icbs],
            dtype=np.int64,
        ),
        system_codes=tuple(systems),
        lad_codes=tuple(lads),
        lad_from_day=np.array(lad_from, dtype=np.int64),
        practice_codes=tuple(p[0] for p in practices),
        practice_sub_icb=np.array([p[1] for p in practices], dtype=np.int64),
        practice_weight=np.array(
            [
                float(p[2]) if isinstance(p[2], int | float) and p[2] > 0 else typical
                for p in practices
            ],
            dtype=np.float64,
        ),
        practice_from_day=np.array([_days(p[3]) for p in practices], dtype=np.int64),
        trust_codes=tuple(trust_codes),
        system_acute=system_acute,
        system_mental_health=system_mh,
        system_community=system_community,
        trust_kind=kinds,
        trust_catchment=catchment,
        basis="England" if len(lsoa_rows) > 30_000 else "synthetic world",
    )


def _lad_from(spans: list[tuple[date, date | None]], end: date) -> int:
    """The first day of the LAD's interval in force at ``end`` (1970 when it is unknown)."""
    for low, high in spans:
        if low <= end and (high is None or high > end):
            return _days(low)
    return 0


def _by_system(
    trusts: dict[str, list[str]],
    kinds: tuple[str, ...],
    systems: list[str],
    snapshot: Snapshot,
    codes: list[str],
) -> tuple[tuple[int, ...], ...]:
    """Per system, indices (into ``codes``, extended as needed) of the trusts of the first of
    ``kinds`` it hosts; else those of its NHS region; else all of them (empty if none exist)."""
    index = {c: i for i, c in enumerate(codes)}
    hosted: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for kind in kinds:
        for item in trusts.get(kind, []):
            code, system = item.split("@")
            hosted[kind][system].append(code)
    everyone = [item.split("@")[0] for kind in kinds for item in trusts.get(kind, [])]
    result: list[tuple[int, ...]] = []
    for system in systems:
        chosen: list[str] = []
        for kind in kinds:
            chosen = hosted[kind].get(system, [])
            if chosen:
                break
        if not chosen:
            region = snapshot.region_of_system.get(system)
            chosen = [
                c
                for kind in kinds
                for s, cs in hosted[kind].items()
                if snapshot.region_of_system.get(s) == region
                for c in cs
            ]
        chosen = chosen or everyone
        for code in chosen:
            if code not in index:
                index[code] = len(codes)
                codes.append(code)
        result.append(tuple(index[c] for c in sorted(chosen)))
    return tuple(result)


def _catchments(
    trusts: dict[str, list[str]],
    codes: list[str],
    tables: dict[str, tuple[tuple[int, ...], ...]],
    population: dict[str, float],
    region: dict[str, str],
) -> tuple[tuple[str, ...], FloatArray]:
    """Each trust's kind and the population it serves: a system's residents shared equally by the
    trusts of a kind that serve it (a trust of another kind standing in for a missing one serves
    nobody extra); an ambulance trust, appended to ``codes``, serves its host system's region.
    ``tables`` and ``population`` are in the order of the systems."""
    kind_of = {item.split("@")[0]: kind for kind, items in trusts.items() for item in items}
    kind_of.update((code, "acute") for code, kind in list(kind_of.items()) if kind == "unknown")
    served = np.zeros(len(codes), dtype=np.float64)
    for kind, table in tables.items():
        for system, chosen in zip(population, table, strict=True):
            for index in chosen:
                if kind_of.get(codes[index]) == kind:
                    served[index] += population[system] / len(chosen)
    ambulance: dict[str, list[str]] = defaultdict(list)
    for item in trusts.get("ambulance", []):
        code, system = item.split("@")
        if system in population:
            ambulance[region[system]].append(code)
    extra = []
    for area, found in sorted(ambulance.items()):
        people = sum(n for s, n in population.items() if region[s] == area)
        extra += [(code, people / len(found)) for code in sorted(found)]
    codes.extend(code for code, _ in extra)
    kinds = tuple(kind_of.get(code, "acute") for code in codes)
    return kinds, np.concatenate([served, np.array([n for _, n in extra], dtype=np.float64)])
