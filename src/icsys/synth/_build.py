"""Build a synthetic world from a ``WorldSpec``: one ``random.Random(seed)``, fixed draw order."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from icsys.synth import _names, _people
from icsys.synth._model import (
    Lsoa,
    Pcn,
    Place,
    Practice,
    Region,
    SubIcb,
    System,
    Trust,
    TrustKind,
    World,
    WorldSpec,
)

_REGION_LETTERS = "ABDEFGHJKL"
_RURAL_CODES = ("RLN1", "RSN1", "RLF1", "RSF1")
_RURAL_WEIGHTS = (2127, 1735, 1021, 1232)  # their frequencies among real rural LSOAs
_PCN_START = dt.date(2019, 10, 1)  # when the ODS ePCN file opens the original PCNs
_CLOSE_DATES = (dt.date(2018, 3, 31), dt.date(2023, 9, 30))  # before and after PCNs existed
_TRUST_OPENED = (dt.date(1994, 4, 1), dt.date(2001, 4, 1), dt.date(2006, 4, 1), dt.date(2016, 4, 1))


@dataclass(frozen=True)
class _Draft:
    """An LSOA before national ranks exist."""

    place: Place
    name: str
    rural: bool
    urban_code: str
    latent: float


def build_world(spec: WorldSpec | None = None) -> World:
    """The world described by ``spec`` (the default spec if omitted); same spec, same world."""
    spec = spec or WorldSpec()
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible synthetic data, not security
    regions, systems, sub_icbs, places, effects = _structure(spec, rng)
    lsoas = _lsoas(spec, rng, places, effects)
    practices, pcns = _primary_care(spec, rng, places, lsoas)
    trusts = _trusts(spec, rng, regions, systems, places)
    return World(
        spec=spec,
        regions=tuple(regions),
        systems=tuple(systems),
        sub_icbs=tuple(sub_icbs),
        places=tuple(places),
        lsoas=tuple(lsoas),
        practices=tuple(sorted(practices, key=lambda p: p.code)),
        pcns=tuple(pcns),
        trusts=tuple(sorted(trusts, key=lambda t: t.code)),
    )


def _structure(
    spec: WorldSpec, rng: random.Random
) -> tuple[list[Region], list[System], list[SubIcb], list[Place], dict[str, float]]:
    """Regions, systems, sub-ICB locations and places, plus each one's deprivation effect."""
    n_systems = spec.regions * spec.systems_per_region
    place_counts = [rng.randint(*spec.places_per_system) for _ in range(n_systems)]
    names = _names.place_names(rng, n_systems + sum(place_counts))
    regions: list[Region] = []
    systems: list[System] = []
    sub_icbs: list[SubIcb] = []
    places: list[Place] = []
    effects: dict[str, float] = {}
    serials = {"E06": 0, "E08": 0}
    for r in range(spec.regions):
        region = Region(
            code=_names.gss("E40", r + 1),
            ods_code=_names.region_ods(r),
            name=_names.region_name(r),
            ons_code=_names.gss("E12", r + 1),
            letter=_REGION_LETTERS[r],
        )
        regions.append(region)
        effects[region.code] = rng.gauss(0.0, 0.25)
        centre = (rng.uniform(51.4, 53.9), rng.uniform(-2.4, -0.3))
        for _ in range(spec.systems_per_region):
            s = len(systems)
            county = _names.county_name(names.pop())
            first_place = names[-1]  # the system is named after a county and its first place
            system = System(
                code=_names.gss("E54", s + 1),
                ods_code=_names.icb_ods(s),
                short_name=f"{county} and {first_place}",
                region_code=region.code,
            )
            systems.append(system)
            effects[system.code] = effects[region.code] + rng.gauss(0.0, 0.45)
            system_centre = (centre[0] + rng.uniform(-0.3, 0.3), centre[1] + rng.uniform(-0.3, 0.3))
            n_places = place_counts[s]
            n_subs = rng.randint(
                spec.sub_icbs_per_system[0], min(spec.sub_icbs_per_system[1], n_places)
            )
            cuts = sorted(rng.sample(range(1, n_places), n_subs - 1))
            for start, stop in zip([0, *cuts], [*cuts, n_places], strict=True):
                ods = _names.sub_icb_ods(len(sub_icbs))
                sub = SubIcb(
                    code=_names.gss("E38", len(sub_icbs) + 1),
                    ods_code=ods,
                    system_code=system.code,
                    name=f"NHS {system.short_name} ICB - {ods}",
                )
                sub_icbs.append(sub)
                for _ in range(start, stop):
                    rurality = (
                        rng.uniform(0.0, 0.12) if rng.random() < 0.65 else rng.uniform(0.2, 0.6)
                    )
                    prefix = "E08" if rurality < 0.12 else "E06"
                    serials[prefix] += 1
                    place = Place(
                        code=_names.gss(prefix, serials[prefix]),
                        name=names.pop(),
                        system_code=system.code,
                        sub_icb_code=sub.code,
                        rurality=rurality,
                        index=len(places),
                        latitude=round(system_centre[0] + rng.uniform(-0.12, 0.12), 6),
                        longitude=round(system_centre[1] + rng.uniform(-0.12, 0.12), 6),
                    )
                    places.append(place)
                    effects[place.code] = effects[system.code] + rng.gauss(0.0, 0.45)
    return regions, systems, sub_icbs, places, effects


def _lsoas(
    spec: WorldSpec, rng: random.Random, places: list[Place], effects: dict[str, float]
) -> list[Lsoa]:
    drafts: list[_Draft] = []
    for place in places:
        count = rng.randint(*spec.lsoas_per_place)
        msoa, letter = 1, 0
        msoa_size = rng.randint(4, 7)
        for _ in range(count):
            if letter == msoa_size:
                msoa, letter, msoa_size = msoa + 1, 0, rng.randint(4, 7)
            rural = rng.random() < place.rurality
            urban_code = "UF1" if rng.random() < 0.05 + 0.4 * place.rurality else "UN1"
            latent = effects[place.code] + rng.gauss(0.0, 0.75) - 0.35 * rural
            name = f"{place.name} {msoa:03d}{chr(ord('A') + letter)}"
            drafts.append(_Draft(place, name, rural, urban_code, latent))
            letter += 1
    deprivations = _people.deprivation(rng, [d.latent for d in drafts])
    return [
        Lsoa(
            code=_names.gss("E01", i + 1),
            name=d.name,
            place_code=d.place.code,
            sub_icb_code=d.place.sub_icb_code,
            system_code=d.place.system_code,
            ruc21_code=rng.choices(_RURAL_CODES, _RURAL_WEIGHTS)[0] if d.rural else d.urban_code,
            deprivation=dep,
            population=_people.age_counts(rng, latent=d.latent, rural=d.rural),
        )
        for i, (d, dep) in enumerate(zip(drafts, deprivations, strict=True))
    ]


def _split(rng: random.Random, total: int, low: int, high: int) -> list[int]:
    """Split ``total`` items into groups of ``low``..``high`` (as evenly as the draw allows)."""
    groups = rng.randint(-(-total // high), max(total // low, -(-total // high)))
    sizes = [low] * groups
    spare = total - low * groups
    while spare > 0:
        i = rng.randrange(groups)
        if sizes[i] < high:
            sizes[i] += 1
            spare -= 1
    return sizes


def _allocate(rng: random.Random, total: int, count: int) -> list[int]:
    """``total`` patients shared among ``count`` practices of uneven size (sums to ``total``)."""
    weights = [rng.lognormvariate(0.0, 0.4) for _ in range(count)]
    scale = total / sum(weights)
    sizes = [round(w * scale) for w in weights]
    sizes[-1] += total - sum(sizes)
    return sizes


def _practice(  # one active or closed practice in a place
    rng: random.Random, serial: int, place: Place, list_size: int, close_date: dt.date | None
) -> Practice:
    opened = dt.date(1974, 4, 1)
    if rng.random() < 0.35:
        opened = dt.date(rng.randint(1975, 2016), rng.randint(1, 12), 1)
    return Practice(
        code=_names.practice_ods(serial),
        name=_names.practice_name(rng),
        place_code=place.code,
        sub_icb_code=place.sub_icb_code,
        system_code=place.system_code,
        pcn_code=None,
        list_size=list_size,
        open_date=opened,
        close_date=close_date,
        address=(_names.street(rng), place.name.upper()),
        postcode=_names.postcode(rng, place.index),
        latitude=round(place.latitude + rng.uniform(-0.03, 0.03), 6),
        longitude=round(place.longitude + rng.uniform(-0.03, 0.03), 6),
    )


def _primary_care(
    spec: WorldSpec, rng: random.Random, places: list[Place], lsoas: list[Lsoa]
) -> tuple[list[Practice], list[Pcn]]:
    """Practices with list sizes summing to about their place's population, grouped into PCNs."""
    residents: dict[str, int] = {}
    for lsoa in lsoas:
        residents[lsoa.place_code] = residents.get(lsoa.place_code, 0) + lsoa.total_population
    practices: list[Practice] = []
    pcns: list[Pcn] = []
    pcns_by_place: dict[str, list[Pcn]] = {}
    for place in places:
        count = rng.randint(*spec.practices_per_place)
        registered = round(residents[place.code] * rng.uniform(1.01, 1.05))  # list inflation
        members = [
            _practice(rng, len(practices) + i + 1, place, size, None)
            for i, size in enumerate(_allocate(rng, registered, count))
        ]
        sizes = _split(rng, count, *spec.pcn_size)
        start = 0
        for k, size in enumerate(sizes):
            code = _names.pcn_ods(len(pcns) + 1)
            group = members[start : start + size]
            members[start : start + size] = [_with_pcn(p, code) for p in group]
            pcn = Pcn(
                code=code,
                name=_names.pcn_name(place.name, k, len(sizes)),
                place_code=place.code,
                sub_icb_code=place.sub_icb_code,
                system_code=place.system_code,
                practice_codes=tuple(p.code for p in group),
                open_date=_PCN_START,
            )
            pcns.append(pcn)
            pcns_by_place.setdefault(place.code, []).append(pcn)
            start += size
        practices.extend(members)
    for i in range(spec.closed_practices):
        place = rng.choice(places)
        closed = _CLOSE_DATES[i % len(_CLOSE_DATES)]
        practice = _practice(rng, len(practices) + 1, place, 0, closed)
        if closed > _PCN_START:
            practice = _with_pcn(practice, rng.choice(pcns_by_place[place.code]).code)
        practices.append(practice)
    return practices, pcns


def _with_pcn(practice: Practice, pcn_code: str) -> Practice:
    return Practice(**{**practice.__dict__, "pcn_code": pcn_code})


def _trusts(
    spec: WorldSpec,
    rng: random.Random,
    regions: list[Region],
    systems: list[System],
    places: list[Place],
) -> list[Trust]:
    trusts: list[Trust] = []

    def add(name: str, kind: TrustKind, system: System, place: Place) -> None:
        trusts.append(
            Trust(
                code=_names.trust_ods(len(trusts)),
                name=name.upper(),
                kind=kind,
                region_code=system.region_code,
                system_code=system.code,
                address=(_names.street(rng), place.name.upper()),
                postcode=_names.postcode(rng, place.index),
                open_date=rng.choice(_TRUST_OPENED),
            )
        )

    for region in regions:
        own = [s for s in systems if s.region_code == region.code]
        host = next(p for p in places if p.system_code == own[0].code)
        add(f"{region.name} Ambulance Service NHS Trust", TrustKind.AMBULANCE, own[0], host)
        for system in own:
            its_places = [p for p in places if p.system_code == system.code]
            county = system.short_name.split(" and ", 1)[0]
            for k in range(min(rng.randint(*spec.acute_trusts_per_system), len(its_places))):
                name = (
                    f"{its_places[k].name} Hospitals NHS Foundation Trust"
                    if k == 0
                    else f"{its_places[k].name} Teaching Hospitals NHS Trust"
                )
                add(name, TrustKind.ACUTE, system, its_places[k])
            add(
                f"{county} Mental Health NHS Foundation Trust",
                TrustKind.MENTAL_HEALTH,
                system,
                its_places[0],
            )
            add(
                f"{county} Community Healthcare NHS Trust",
                TrustKind.COMMUNITY,
                system,
                its_places[-1],
            )
    return trusts
