"""The structure register for the portal: England, systems, places and neighbourhoods."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from sqlalchemy import Engine

from icsys.domain.codes import ENGLAND_CODE
from icsys.domain.levels import Level, OrgType, TrustType, sector_of
from icsys.errors import NotFoundError
from icsys.reference.register import AreaRow, Snapshot
from icsys.reference.summary import SystemSummary, summarise
from icsys.web import schemas as s


class ListedLevel(StrEnum):
    """Levels the portal lists (the rest, e.g. 2011 LSOAs, stay in the CLI)."""

    REGION = Level.NHS_REGION.value
    SYSTEM = Level.SYSTEM.value
    SUB_ICB = Level.SUB_ICB.value
    PLACE = Level.PLACE.value
    PCN = Level.PCN.value
    PRACTICE = Level.PRACTICE.value
    LAD = Level.LAD.value
    LSOA21 = Level.LSOA21.value
    TRUST = Level.TRUST.value


LISTED_LEVELS = tuple(Level(v.value) for v in ListedLevel)


class Register:
    """Snapshots of the register by date, reused for a few minutes (the store changes only when
    someone loads data; a reload shows within ``ttl`` seconds)."""

    def __init__(self, engine: Engine, ttl: float) -> None:
        self.engine = engine
        self.ttl = ttl
        self._snaps: dict[date, tuple[float, Snapshot, dict[str, SystemSummary]]] = {}
        self._lock = threading.Lock()

    def _entry(self, as_of: date) -> tuple[float, Snapshot, dict[str, SystemSummary]]:
        now = time.monotonic()
        with self._lock:
            entry = self._snaps.get(as_of)
            if entry is None or now - entry[0] > self.ttl:
                if len(self._snaps) > 8:
                    self._snaps.clear()
                entry = (now, Snapshot(self.engine, as_of), {})
                self._snaps[as_of] = entry
            return entry

    def snapshot(self, as_of: date) -> Snapshot:
        return self._entry(as_of)[1]

    def summaries(self, as_of: date) -> dict[str, SystemSummary]:
        _, snap, cache = self._entry(as_of)
        if not cache:
            summary = summarise(snap)
            cache.update({x.code: x for x in summary.systems})
        return cache


def area(row: AreaRow) -> s.Area:
    extra: dict[str, str | int | float | None] = {}
    for key, value in row.extra.items():
        extra[key] = value if value is None or isinstance(value, (int, float)) else str(value)
    return s.Area(
        level=str(row.level),
        code=row.code,
        name=row.name,
        ods_code=row.ods_code,
        parent_code=row.parent_code,
        system_code=row.system_code,
        extra=extra,
    )


def _matches(row: AreaRow, q: str | None) -> bool:
    if not q:
        return True
    needle = q.strip().lower()
    return any(needle in (v or "").lower() for v in (row.code, row.name, row.ods_code))


def list_areas(
    snap: Snapshot,
    level: Level,
    *,
    system: str | None = None,
    parent: str | None = None,
    q: str | None = None,
) -> list[s.Area]:
    if level not in LISTED_LEVELS:
        names = ", ".join(lv.value for lv in LISTED_LEVELS)
        raise NotFoundError(f"the portal lists no level {level.value!r}; use one of {names}")
    rows = snap.rows(level, system=system)
    return [area(r) for r in rows if _matches(r, q) and (parent is None or r.parent_code == parent)]


def get_area(snap: Snapshot, level: Level, code: str) -> s.Area:
    for row in list_areas(snap, level):
        if row.code == code or (row.ods_code and row.ods_code == code.upper()):
            return row
    raise NotFoundError(f"no {level.value} {code!r} in force at {snap.as_of}")


def england(snap: Snapshot, q: str | None = None) -> list[s.RegionSystems]:
    """Every system, by NHS region; ``q`` keeps systems whose name or code contains it."""
    systems = [area(r) for r in snap.rows(Level.SYSTEM) if _matches(r, q)]
    by_region: dict[str | None, list[s.Area]] = defaultdict(list)
    for row in systems:
        by_region[row.parent_code].append(row)
    regions = {r.code: area(r) for r in snap.rows(Level.NHS_REGION)}
    out = []
    for code in sorted(by_region, key=lambda c: (regions[c].name or "") if c in regions else "~"):
        region = regions.get(code or "") or s.Area(
            level=Level.NHS_REGION.value,
            code=code or ENGLAND_CODE,
            name="No region recorded",
            ods_code=None,
            parent_code=ENGLAND_CODE,
            system_code=None,
        )
        out.append(
            s.RegionSystems(
                region=region, systems=sorted(by_region[code], key=lambda a: a.name or a.code)
            )
        )
    return out


def system_facts(register: Register, as_of: date, system: str) -> s.SystemFacts:
    snap = register.snapshot(as_of)
    code = snap.resolve_system(system)
    summary = register.summaries(as_of).get(code)
    if summary is None:  # pragma: no cover - resolve_system found it in force
        raise NotFoundError(f"no system {system!r} at {as_of}")
    return s.SystemFacts(
        code=summary.code,
        ods_code=summary.ods_code,
        name=summary.name,
        region_code=summary.region_code,
        region_name=summary.region_name,
        as_of=as_of,
        lsoas=summary.lsoas,
        resident_population=summary.resident_population,
        registered_population=summary.registered_population,
        practices=summary.practices,
        practices_without_pcn=summary.practices_without_pcn,
        pcns=summary.pcns,
        trusts=summary.trusts,
        core20_share=summary.core20_share,
        imd_quintiles={str(k): v for k, v in summary.imd_quintiles.items()},
        places=[s.PlaceFacts(**vars(p)) for p in summary.places],
        sub_icbs=[s.SubIcbFacts(**vars(x)) for x in summary.sub_icbs],
    )


def partners(snap: Snapshot, system: str, members: Iterable[s.Member] = ()) -> list[s.Partner]:
    """The organisations of a system by sector: the ICB, trusts, places' councils, PCNs and
    practices from the register, and every other organisation that sits on one of its bodies."""
    code = snap.resolve_system(system)
    found: list[s.Partner] = [
        s.Partner(
            sector=sector_of(OrgType.ICB).value,
            kind="Integrated care board",
            code=snap.ods(Level.SYSTEM, code),
            name=snap.name(Level.SYSTEM, code),
        )
    ]
    for row in snap.rows(Level.TRUST, system=code):
        kind = TrustType(str(row.extra.get("trust_type") or TrustType.UNKNOWN))
        found.append(
            s.Partner(
                sector=sector_of(OrgType.NHS_TRUST, kind).value,
                kind=f"NHS trust ({kind.value.replace('_', ' ')})",
                code=row.code,
                name=row.name,
            )
        )
    found.extend(
        s.Partner(
            sector=sector_of(OrgType.LOCAL_AUTHORITY).value,
            kind="Local authority",
            code=place.code,
            name=place.name,
        )
        for place in snap.places()
        if place.system_code == code
    )
    pcns = snap.rows(Level.PCN, system=code)
    practices = snap.rows(Level.PRACTICE, system=code)
    found.append(
        s.Partner(
            sector=sector_of(OrgType.PCN).value,
            kind="Primary care networks and GP practices",
            code=None,
            name=None,
            detail=f"{len(pcns)} primary care networks, {len(practices)} GP practices",
        )
    )
    known = {p.code for p in found if p.code}
    for member in members:
        key = member.org_code or member.org_name
        if not key or key in known:
            continue
        known.add(key)
        found.append(
            s.Partner(
                sector=member.sector,
                kind="Member organisation of a governance body",
                code=member.org_code,
                name=member.org_name,
            )
        )
    return found


def place_detail(register: Register, as_of: date, system: str, place: str) -> s.PlaceDetail:
    snap = register.snapshot(as_of)
    facts = system_facts(register, as_of, system)
    match = [p for p in facts.places if p.code == place]
    if not match:
        raise NotFoundError(f"no place {place!r} in system {facts.code} at {as_of}")
    lsoas = [
        r
        for r in snap.rows(Level.LSOA21, system=facts.code)
        if (r.extra.get("lad_code") or r.code) == place
    ]
    quintiles = Counter(
        (int(str(r.extra["imd_decile"])) + 1) // 2 for r in lsoas if r.extra.get("imd_decile")
    )
    sub_icb_counts = Counter(r.parent_code for r in lsoas if r.parent_code)
    sub_icbs = [
        area(r) for r in snap.rows(Level.SUB_ICB, system=facts.code) if r.code in sub_icb_counts
    ]
    pcns = [
        area(r) for r in snap.rows(Level.PCN, system=facts.code) if r.parent_code in sub_icb_counts
    ]
    return s.PlaceDetail(
        system_code=facts.code,
        system_name=facts.name,
        place=match[0],
        imd_quintiles={str(k): quintiles[k] for k in sorted(quintiles)},
        sub_icbs=sub_icbs,
        neighbourhoods=sorted(pcns, key=lambda a: a.name or a.code),
    )


def neighbourhood_detail(snap: Snapshot, system: str, pcn: str) -> s.NeighbourhoodDetail:
    code = snap.resolve_system(system)
    rows = [r for r in snap.rows(Level.PCN, system=code) if r.code == pcn]
    if not rows:
        raise NotFoundError(f"no neighbourhood (PCN) {pcn!r} in system {code} at {snap.as_of}")
    practices = [
        s.Practice(
            code=r.code,
            name=r.name,
            list_size=int(str(r.extra["list_size"])) if r.extra.get("list_size") else None,
        )
        for r in snap.rows(Level.PRACTICE, system=code)
        if r.extra.get("pcn_code") == pcn
    ]
    return s.NeighbourhoodDetail(
        system_code=code,
        system_name=snap.name(Level.SYSTEM, code),
        pcn=area(rows[0]),
        sub_icb_name=snap.name(Level.SUB_ICB, rows[0].parent_code or ""),
        registered_population=sum(p.list_size or 0 for p in practices),
        practices=sorted(practices, key=lambda p: p.name or p.code),
    )
