"""A system's structure as at a date: places, sub-ICB locations, PCNs and practices, with
populations and a deprivation summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from icsys.domain.levels import Level
from icsys.reference.register import Snapshot


@dataclass(frozen=True)
class PlaceSummary:
    code: str
    name: str | None
    lsoa_share: float
    lsoas: int
    resident_population: int


@dataclass(frozen=True)
class SubIcbSummary:
    code: str
    ods_code: str | None
    name: str | None
    pcns: int
    practices: int
    registered_population: int


@dataclass(frozen=True)
class SystemSummary:
    code: str
    ods_code: str | None
    name: str | None
    region_code: str | None
    region_name: str | None
    lsoas: int
    resident_population: int
    registered_population: int
    practices: int
    practices_without_pcn: int
    pcns: int
    trusts: int
    core20_share: float | None  # share of residents in national IMD 2025 deciles 1-2
    imd_quintiles: dict[int, int] = field(default_factory=dict)  # LSOAs per quintile
    places: list[PlaceSummary] = field(default_factory=list)
    sub_icbs: list[SubIcbSummary] = field(default_factory=list)


@dataclass(frozen=True)
class StructureSummary:
    as_of: str
    systems: list[SystemSummary]
    unplaced_practices: list[str]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "systems": len(self.systems),
            "regions": len({s.region_code for s in self.systems}),
            "lsoas": sum(s.lsoas for s in self.systems),
            "practices": sum(s.practices for s in self.systems),
            "pcns": sum(s.pcns for s in self.systems),
        }


def summarise(snapshot: Snapshot, system: str | None = None) -> StructureSummary:
    """Summaries of every system (or one), as at the snapshot's date."""
    wanted = snapshot.resolve_system(system) if system else None
    pop = snapshot.resident_population
    deciles = snapshot.imd_decile
    lsoas_by_system: dict[str, list[str]] = defaultdict(list)
    for row in snapshot.rows(Level.LSOA21):
        if row.system_code:
            lsoas_by_system[row.system_code].append(row.code)
    practices = snapshot.rows(Level.PRACTICE)
    by_sub_icb: dict[str, list[str]] = defaultdict(list)
    for p in practices:
        if p.system_code:
            by_sub_icb[str(p.extra["sub_icb_code"])].append(p.code)
    pcns_by_sub_icb = Counter(r.parent_code for r in snapshot.rows(Level.PCN))
    trusts = Counter(r.system_code for r in snapshot.rows(Level.TRUST))
    places = defaultdict(list)
    for place in snapshot.places():
        places[place.system_code].append(place)
    lad_lsoas: dict[str, list[str]] = defaultdict(list)
    for lsoa, lad in snapshot.lad_of_lsoa.items():
        lad_lsoas[lad].append(lsoa)
    sizes = snapshot.list_size
    summaries = []
    for row in snapshot.rows(Level.SYSTEM):
        if wanted and row.code != wanted:
            continue
        lsoas = lsoas_by_system.get(row.code, [])
        resident = sum(pop.get(c, 0.0) for c in lsoas)
        core20 = sum(pop.get(c, 0.0) for c in lsoas if deciles.get(c, 99) <= 2)
        subs = [
            SubIcbSummary(
                s.code,
                s.ods_code,
                s.name,
                pcns_by_sub_icb.get(s.code, 0),
                len(by_sub_icb.get(s.code, [])),
                sum(sizes.get(p, 0) for p in by_sub_icb.get(s.code, [])),
            )
            for s in snapshot.rows(Level.SUB_ICB)
            if s.system_code == row.code
        ]
        system_practices = [p for p in practices if p.system_code == row.code]
        summaries.append(
            SystemSummary(
                code=row.code,
                ods_code=row.ods_code,
                name=row.name,
                region_code=row.parent_code,
                region_name=snapshot.name(Level.NHS_REGION, row.parent_code or ""),
                lsoas=len(lsoas),
                resident_population=round(resident),
                registered_population=sum(s.registered_population for s in subs),
                practices=len(system_practices),
                practices_without_pcn=sum(1 for p in system_practices if not p.extra["pcn_code"]),
                pcns=sum(s.pcns for s in subs),
                trusts=trusts.get(row.code, 0),
                core20_share=round(core20 / resident, 4) if resident else None,
                imd_quintiles=dict(
                    sorted(Counter((deciles[c] + 1) // 2 for c in lsoas if c in deciles).items())
                ),
                places=[
                    PlaceSummary(
                        p.code,
                        p.name,
                        float(str(p.extra.get("lsoa_share", 1.0))),
                        sum(1 for c in lad_lsoas.get(p.code, []) if c in set(lsoas)),
                        round(
                            sum(
                                pop.get(c, 0.0)
                                for c in lad_lsoas.get(p.code, [])
                                if c in set(lsoas)
                            )
                        ),
                    )
                    for p in places.get(row.code, [])
                ],
                sub_icbs=subs,
            )
        )
    unplaced = sorted(p.code for p in practices if not p.system_code)
    return StructureSummary(str(snapshot.as_of), summaries, unplaced)
