"""The structure register, asked as at a date: which areas are in force and how they nest.

Registered hierarchy: practice → PCN → sub-ICB location → system → NHS region. Resident
geography: LSOA → LAD → ONS region, and LSOA → sub-ICB location. Parents given in ODS files as
ODS codes are resolved to the GSS code in force at the date asked. Places default to the LADs
whose LSOAs fall in a system (a LAD split across systems is a place of each, with its share);
``place_config`` rows replace the default for a system.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import ColumnElement, Engine, Table, and_, or_, select

from icsys.domain.codes import ENGLAND_CODE
from icsys.domain.levels import Level, Relation
from icsys.errors import NotFoundError
from icsys.reference.formats.ods import SUB_ICB_ODS, SYSTEM_ODS
from icsys.store import models as m


@dataclass(frozen=True)
class AreaRow:
    level: str
    code: str
    name: str | None
    ods_code: str | None
    parent_code: str | None
    system_code: str | None
    extra: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "code": self.code,
            "ods_code": self.ods_code,
            "name": self.name,
            "parent_code": self.parent_code,
            "system_code": self.system_code,
            **self.extra,
        }


def _in_force(table: Table, as_of: date) -> ColumnElement[bool]:
    """The one SQL rule for 'as at' on a table with ``valid_from`` / ``valid_to``."""
    return and_(
        table.c.valid_from <= as_of, or_(table.c.valid_to.is_(None), table.c.valid_to > as_of)
    )


class Snapshot:
    """The register as at one date, loaded lazily level by level."""

    def __init__(self, engine: Engine, as_of: date) -> None:
        self.engine = engine
        self.as_of = as_of

    # --- raw edges --------------------------------------------------------------------------
    def _parents(
        self, child_level: str, parent_level: str, relation: str = Relation.PARENT
    ) -> dict[str, list[tuple[str, float | None]]]:
        query = select(m.edge.c.child, m.edge.c.parent, m.edge.c.share).where(
            m.edge.c.relation == relation,
            m.edge.c.child_level == child_level,
            m.edge.c.parent_level == parent_level,
            _in_force(m.edge, self.as_of),
        )
        found: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
        with self.engine.connect() as conn:
            for child, parent, share in conn.execute(query):
                found[child].append((parent, share))
        return found

    def _parent(self, child_level: str, parent_level: str) -> dict[str, str]:
        return {c: min(ps)[0] for c, ps in self._parents(child_level, parent_level).items()}

    def codes(self, level: str) -> list[str]:
        """Codes of ``level`` in force at the date."""
        return sorted(self._parents(level, "", Relation.EXISTS))

    @cached_property
    def _areas(self) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(m.area.c.level, m.area.c.code, m.area.c.name, m.area.c.ods_code)
            )
            return {(lv, c): (n, o) for lv, c, n, o in rows}

    def name(self, level: str, code: str) -> str | None:
        return self._areas.get((level, code), (None, None))[0]

    def ods(self, level: str, code: str) -> str | None:
        return self._areas.get((level, code), (None, None))[1]

    def _ods_to_gss(self, level: str) -> dict[str, str]:
        return {o: c for c in self.codes(level) if (o := self.ods(level, c))}

    # --- the registered hierarchy ------------------------------------------------------------
    @cached_property
    def system_of_sub_icb(self) -> dict[str, str]:
        return self._parent(Level.SUB_ICB, Level.SYSTEM)

    @cached_property
    def region_of_system(self) -> dict[str, str]:
        return self._parent(Level.SYSTEM, Level.NHS_REGION)

    @cached_property
    def sub_icb_of_lsoa(self) -> dict[str, str]:
        return self._parent(Level.LSOA21, Level.SUB_ICB)

    @cached_property
    def lad_of_lsoa(self) -> dict[str, str]:
        return self._parent(Level.LSOA21, Level.LAD)

    @cached_property
    def sub_icb_of_practice(self) -> dict[str, str]:
        by_ods = self._ods_to_gss(Level.SUB_ICB)
        return {
            p: by_ods[o]
            for p, o in self._parent(Level.PRACTICE, SUB_ICB_ODS).items()
            if o in by_ods
        }

    @cached_property
    def pcn_of_practice(self) -> dict[str, str]:
        pcns = set(self.codes(Level.PCN))
        return {
            p: pcn
            for p, pcn in self._parent(Level.PRACTICE, Level.PCN).items()
            if pcn in pcns or not pcns
        }

    @cached_property
    def sub_icb_of_pcn(self) -> dict[str, str]:
        by_ods = self._ods_to_gss(Level.SUB_ICB)
        stated = {
            p: by_ods[o] for p, o in self._parent(Level.PCN, SUB_ICB_ODS).items() if o in by_ods
        }
        members: dict[str, Counter[str]] = defaultdict(Counter)
        for practice, pcn in self.pcn_of_practice.items():
            if sub_icb := self.sub_icb_of_practice.get(practice):
                members[pcn][sub_icb] += 1
        for pcn, counts in members.items():
            stated.setdefault(pcn, counts.most_common(1)[0][0])  # a PCN newer than the ePCN file
        return stated

    @cached_property
    def lsoa_share_of_lad(self) -> dict[str, dict[str, float]]:
        """For each LAD, the share of its LSOAs in each system (2021 LSOAs; 2011 before them)."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        lads, sub_icbs = self.lad_of_lsoa, self.sub_icb_of_lsoa
        if not sub_icbs:
            lads = self._parent(Level.LSOA11, Level.LAD)
            sub_icbs = self._parent(Level.LSOA11, Level.SUB_ICB)
        for lsoa, lad in lads.items():
            system = self.system_of_sub_icb.get(sub_icbs.get(lsoa, ""))
            if system:
                counts[lad][system] += 1
        return {lad: {s: n / sum(c.values()) for s, n in c.items()} for lad, c in counts.items()}

    @cached_property
    def imd_decile(self) -> dict[str, int]:
        query = select(m.deprivation.c.code, m.deprivation.c.decile).where(
            m.deprivation.c.edition == "imd2025", m.deprivation.c.decile.is_not(None)
        )
        with self.engine.connect() as conn:
            return {code: int(decile) for code, decile in conn.execute(query)}

    @cached_property
    def list_size(self) -> dict[str, int]:
        """Registered patients per practice: the latest count at or before the date (else any)."""
        query = (
            select(m.attribute.c.code, m.attribute.c.as_of, m.attribute.c.value_num)
            .where(m.attribute.c.name == "registered_patients")
            .order_by(m.attribute.c.as_of)
        )
        best: dict[str, tuple[bool, int]] = {}
        with self.engine.connect() as conn:
            for code, when, value in conn.execute(query):
                usable = when <= self.as_of
                if value is not None and (code not in best or usable or not best[code][0]):
                    best[code] = (usable, int(value))
        return {c: v for c, (_, v) in best.items()}

    @cached_property
    def resident_population(self) -> dict[str, float]:
        """Persons per 2021 LSOA, from the latest estimates (2011 LSOAs mapped by their shares)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    m.population.c.level,
                    m.population.c.code,
                    m.population.c.year,
                    m.population.c.total,
                )
            )
            latest: dict[tuple[str, str], tuple[int, int]] = {}
            for level, code, year, total in rows:
                if (level, code) not in latest or year > latest[(level, code)][0]:
                    latest[(level, code)] = (year, total)
            mapping = self._parents(Level.LSOA11, Level.LSOA21, Relation.LSOA_MAP)
        pop: dict[str, float] = defaultdict(float)
        for (level, code), (_year, total) in latest.items():
            if level == Level.LSOA21:
                pop[code] += total
            elif level == Level.LSOA11:
                for new, share in mapping.get(code, []):
                    pop[new] += total * (share or 1.0)
        return dict(pop)

    # --- rows per level ---------------------------------------------------------------------
    def rows(self, level: Level, system: str | None = None) -> list[AreaRow]:
        builder = {
            Level.NHS_REGION: self._region_rows,
            Level.SYSTEM: self._system_rows,
            Level.SUB_ICB: self._sub_icb_rows,
            Level.PLACE: self._place_rows,
            Level.PCN: self._pcn_rows,
            Level.PRACTICE: self._practice_rows,
            Level.LAD: self._lad_rows,
            Level.LSOA21: self._lsoa_rows,
            Level.LSOA11: self._lsoa11_rows,
            Level.TRUST: self._trust_rows,
            Level.ONS_REGION: self._ons_region_rows,
        }.get(level)
        if builder is None:
            raise NotFoundError(f"the register has no listing for level {level.value!r}")
        rows = builder()
        if system is not None:
            system = self.resolve_system(system)
            rows = [r for r in rows if r.system_code == system]
        return rows

    def resolve_system(self, text: str) -> str:
        """A system by GSS code, ODS code or (part of its) name, as at the date."""
        codes = self.codes(Level.SYSTEM)
        if text in codes:
            return text
        for code in codes:
            if self.ods(Level.SYSTEM, code) == text.upper():
                return code
        matches = [c for c in codes if text.lower() in (self.name(Level.SYSTEM, c) or "").lower()]
        if len(matches) == 1:
            return matches[0]
        hint = f"; {len(matches)} names match" if matches else ""
        raise NotFoundError(
            f"no system {text!r} in force at {self.as_of}{hint} (try `icsys areas --level system`)"
        )

    def _row(
        self, level: str, code: str, parent: str | None, system: str | None, **extra: object
    ) -> AreaRow:
        return AreaRow(
            level, code, self.name(level, code), self.ods(level, code), parent, system, dict(extra)
        )

    def _region_rows(self) -> list[AreaRow]:
        return [
            self._row(Level.NHS_REGION, c, ENGLAND_CODE, None) for c in self.codes(Level.NHS_REGION)
        ]

    def _ons_region_rows(self) -> list[AreaRow]:
        return [
            self._row(Level.ONS_REGION, c, ENGLAND_CODE, None) for c in self.codes(Level.ONS_REGION)
        ]

    def _system_rows(self) -> list[AreaRow]:
        return [
            self._row(Level.SYSTEM, c, self.region_of_system.get(c), c)
            for c in self.codes(Level.SYSTEM)
        ]

    def _sub_icb_rows(self) -> list[AreaRow]:
        return [
            self._row(
                Level.SUB_ICB, c, self.system_of_sub_icb.get(c), self.system_of_sub_icb.get(c)
            )
            for c in self.codes(Level.SUB_ICB)
        ]

    def _lsoa_rows(self) -> list[AreaRow]:
        deciles, lads = self.imd_decile, self.lad_of_lsoa
        rows = []
        for code in self.codes(Level.LSOA21):
            sub_icb = self.sub_icb_of_lsoa.get(code)
            rows.append(
                self._row(
                    Level.LSOA21,
                    code,
                    sub_icb,
                    self.system_of_sub_icb.get(sub_icb or ""),
                    lad_code=lads.get(code),
                    imd_decile=deciles.get(code),
                )
            )
        return rows

    def _lsoa11_rows(self) -> list[AreaRow]:
        sub_icb = self._parent(Level.LSOA11, Level.SUB_ICB)
        system_of = self._parent(Level.SUB_ICB, Level.SYSTEM)
        return [
            self._row(Level.LSOA11, c, sub_icb.get(c), system_of.get(sub_icb.get(c, "")))
            for c in self.codes(Level.LSOA11)
        ]

    def _lad_rows(self) -> list[AreaRow]:
        region = self._parent(Level.LAD, Level.ONS_REGION)
        rows = []
        for code in self.codes(Level.LAD):
            shares = self.lsoa_share_of_lad.get(code, {})
            main = max(shares, key=lambda s: (shares[s], s)) if shares else None
            rows.append(self._row(Level.LAD, code, region.get(code), main, systems=len(shares)))
        return rows

    def places(self) -> list[AreaRow]:
        return self._place_rows()

    def _place_rows(self) -> list[AreaRow]:
        configured = self._configured_places()
        rows = list(configured)
        done = {r.system_code for r in configured}
        for lad, shares in sorted(self.lsoa_share_of_lad.items()):
            for system, share in sorted(shares.items()):
                if system not in done:
                    rows.append(
                        AreaRow(
                            Level.PLACE,
                            lad,
                            self.name(Level.LAD, lad),
                            None,
                            system,
                            system,
                            {"lad_code": lad, "lsoa_share": round(share, 4)},
                        )
                    )
        return sorted(rows, key=lambda r: (r.system_code or "", r.code))

    def _configured_places(self) -> list[AreaRow]:
        query = select(m.place_config).where(_in_force(m.place_config, self.as_of))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        places: dict[tuple[str, str], list[str]] = defaultdict(list)
        names: dict[tuple[str, str], str] = {}
        for r in rows:
            places[(r["system_code"], r["place_code"])].append(r["member_code"])
            names[(r["system_code"], r["place_code"])] = r["place_name"]
        return [
            AreaRow(
                Level.PLACE,
                place,
                names[(system, place)],
                None,
                system,
                system,
                {"members": ",".join(sorted(ms))},
            )
            for (system, place), ms in places.items()
        ]

    def _pcn_rows(self) -> list[AreaRow]:
        rows = []
        for code in self.codes(Level.PCN):
            sub_icb = self.sub_icb_of_pcn.get(code)
            rows.append(
                self._row(Level.PCN, code, sub_icb, self.system_of_sub_icb.get(sub_icb or ""))
            )
        return rows

    def _practice_rows(self) -> list[AreaRow]:
        rows = []
        sizes = self.list_size
        for code in self.codes(Level.PRACTICE):
            sub_icb = self.sub_icb_of_practice.get(code)
            pcn = self.pcn_of_practice.get(code)
            rows.append(
                self._row(
                    Level.PRACTICE,
                    code,
                    pcn or sub_icb,
                    self.system_of_sub_icb.get(sub_icb or ""),
                    pcn_code=pcn,
                    sub_icb_code=sub_icb,
                    list_size=sizes.get(code),
                )
            )
        return rows

    def _trust_rows(self) -> list[AreaRow]:
        by_ods = self._ods_to_gss(Level.SYSTEM)
        icb = self._parent(Level.TRUST, SYSTEM_ODS)
        with self.engine.connect() as conn:
            types = dict(
                conn.execute(select(m.organisation.c.ods_code, m.organisation.c.trust_type)).all()
            )
        rows = []
        for code in self.codes(Level.TRUST):
            system = by_ods.get(icb.get(code, ""))
            rows.append(self._row(Level.TRUST, code, system, system, trust_type=types.get(code)))
        return rows


def code_intervals(engine: Engine, level: str) -> dict[str, list[tuple[date, date | None]]]:
    """Every code of ``level`` with the intervals in which it is in force (for dated checks,
    e.g. that a practice on a hospital spell existed on the admission date)."""
    query = select(m.edge.c.child, m.edge.c.valid_from, m.edge.c.valid_to).where(
        m.edge.c.relation == Relation.EXISTS, m.edge.c.child_level == level
    )
    found: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    with engine.connect() as conn:
        for code, start, end in conn.execute(query):
            found[code].append((start, end))
    return dict(found)
