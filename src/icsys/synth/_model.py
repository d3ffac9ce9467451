"""The frozen in-memory description of a synthetic world (see ``icsys.synth.world``)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from icsys.errors import UserError
from icsys.synth import _names

# IMD 2025 domains in the column order of the published file; "IMD" is the overall index.
IMD_DOMAINS = (
    "IMD",
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Services",
    "Environment",
)
AGES = 91  # single years 0..89 and the open band 90+


@dataclass(frozen=True)
class WorldSpec:
    """How big the synthetic world is. Ranges are inclusive ``(low, high)``.

    The default world (seed 2026) has 7 regions, 14 systems (ICBs), 30 sub-ICB locations,
    48 places (LADs), 2,542 LSOAs, 451 open practices (plus 2 closed), 119 PCNs, 58 trusts and
    4.40 million people: systems of 159k-392k people, places of 71k-126k, PCNs of about 34k
    registered patients (median) - the shape of the real ICSs at about a twelfth of England's
    size. Building and writing it takes about half a second.
    """

    seed: int = 2026
    regions: int = 7
    systems_per_region: int = 2
    places_per_system: tuple[int, int] = (2, 4)
    sub_icbs_per_system: tuple[int, int] = (1, 3)
    lsoas_per_place: tuple[int, int] = (40, 70)
    practices_per_place: tuple[int, int] = (6, 14)
    pcn_size: tuple[int, int] = (3, 6)
    acute_trusts_per_system: tuple[int, int] = (1, 2)
    closed_practices: int = 2
    extract_date: dt.date = dt.date(2025, 1, 1)

    def __post_init__(self) -> None:
        for name in (
            "places_per_system",
            "sub_icbs_per_system",
            "lsoas_per_place",
            "practices_per_place",
            "pcn_size",
            "acute_trusts_per_system",
        ):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise UserError(f"WorldSpec.{name} must be (low, high) with 1 <= low <= high")
        if not 1 <= self.regions <= _names.MAX_REGIONS:
            raise UserError(f"WorldSpec.regions must be between 1 and {_names.MAX_REGIONS}")
        if not 1 <= self.regions * self.systems_per_region <= 35:
            raise UserError("WorldSpec allows 1 to 35 systems (regions x systems_per_region)")
        if self.practices_per_place[0] < self.pcn_size[0]:
            raise UserError("WorldSpec.practices_per_place must start at or above pcn_size")
        if self.closed_practices < 0:
            raise UserError("WorldSpec.closed_practices must not be negative")
        self._check_capacity()

    def _check_capacity(self) -> None:
        """Refuse a spec whose largest possible world would run out of synthetic codes."""
        systems = self.regions * self.systems_per_region
        places = systems * self.places_per_system[1]
        practices = places * self.practices_per_place[1] + self.closed_practices
        needs = {
            "place names": (systems + places, _names.MAX_PLACE_NAMES),
            "LSOA codes": (places * self.lsoas_per_place[1], 99_999),
            "practice codes": (practices, _names.MAX_PRACTICES),
            "PCN codes": (
                places * (self.practices_per_place[1] // self.pcn_size[0]),
                _names.MAX_PCNS,
            ),
            "trust codes": (systems * (self.acute_trusts_per_system[1] + 2) + self.regions, 260),
        }
        for what, (most, available) in needs.items():
            if most > available:
                raise UserError(
                    f"WorldSpec could need {most} {what} but only {available} exist; "
                    "make the world smaller"
                )


@dataclass(frozen=True)
class Region:
    """An NHS England region; the synthetic ONS region (E12) has the same extent and name."""

    code: str  # E40…
    ods_code: str  # Y9x
    name: str
    ons_code: str  # E12…
    letter: str  # the regional letter in column 24 of the ODS trust extract


@dataclass(frozen=True)
class System:
    """An integrated care system, keyed by its ICB."""

    code: str  # E54…
    ods_code: str  # QZx
    short_name: str  # "Hazelmoorshire and Kestford"
    region_code: str  # E40…

    @property
    def name(self) -> str:
        return f"NHS {self.short_name} Integrated Care Board"


@dataclass(frozen=True)
class SubIcb:
    code: str  # E38…
    ods_code: str  # Z1A
    system_code: str
    name: str  # "NHS Hazelmoorshire and Kestford ICB - Z1A"


@dataclass(frozen=True)
class Place:
    """A place: a local authority district (LAD) inside one system and one sub-ICB location."""

    code: str  # E06… or E08…
    name: str
    system_code: str
    sub_icb_code: str
    rurality: float  # 0 = wholly urban … 1 = wholly rural
    index: int  # position in the world, used for postcodes
    latitude: float  # centre
    longitude: float


@dataclass(frozen=True)
class Deprivation:
    """IMD 2025-style values, each tuple in ``IMD_DOMAINS`` order (decile 1 = most deprived)."""

    deciles: tuple[int, ...]
    ranks: tuple[int, ...]
    scores: tuple[float, ...]


@dataclass(frozen=True)
class Lsoa:
    code: str  # E01…
    name: str  # "Hazelmoor 003B"
    place_code: str
    sub_icb_code: str
    system_code: str
    ruc21_code: str
    deprivation: Deprivation
    population: tuple[int, ...]  # persons by single year of age 0..89, then 90+

    @property
    def imd_decile(self) -> int:
        return self.deprivation.deciles[0]

    @property
    def total_population(self) -> int:
        return sum(self.population)


@dataclass(frozen=True)
class Practice:
    code: str  # Z9nnnn
    name: str
    place_code: str
    sub_icb_code: str
    system_code: str
    pcn_code: str | None  # for a closed practice: the PCN it last belonged to, if any
    list_size: int  # registered patients at the extract date; 0 when closed
    open_date: dt.date
    close_date: dt.date | None
    address: tuple[str, str]  # street, town
    postcode: str
    latitude: float
    longitude: float

    @property
    def is_active(self) -> bool:
        return self.close_date is None


@dataclass(frozen=True)
class Pcn:
    code: str  # U9Znnn
    name: str
    place_code: str
    sub_icb_code: str
    system_code: str
    practice_codes: tuple[str, ...]  # active members
    open_date: dt.date


class TrustKind(enum.StrEnum):
    ACUTE = "acute"
    MENTAL_HEALTH = "mental_health"
    COMMUNITY = "community"
    AMBULANCE = "ambulance"


@dataclass(frozen=True)
class Trust:
    code: str  # Zx9
    name: str  # upper case, the kind readable from the name
    kind: TrustKind
    region_code: str
    system_code: str  # host system (for an ambulance trust: the first system of its region)
    address: tuple[str, str]
    postcode: str
    open_date: dt.date


@dataclass(frozen=True)
class World:
    """Everything in the synthetic world: plain tuples of frozen records, in build order."""

    spec: WorldSpec
    regions: tuple[Region, ...]
    systems: tuple[System, ...]
    sub_icbs: tuple[SubIcb, ...]
    places: tuple[Place, ...]
    lsoas: tuple[Lsoa, ...]
    practices: tuple[Practice, ...]
    pcns: tuple[Pcn, ...]
    trusts: tuple[Trust, ...]
    _by_code: dict[str, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, object] = {}
        for group in (self.regions, self.systems, self.sub_icbs, self.places):
            by_code.update({item.code: item for item in group})
        object.__setattr__(self, "_by_code", by_code)

    def system(self, code: str) -> System:
        found = self._by_code.get(code)
        if not isinstance(found, System):
            raise KeyError(code)
        return found

    def region(self, code: str) -> Region:
        found = self._by_code.get(code)
        if not isinstance(found, Region):
            raise KeyError(code)
        return found

    def sub_icb(self, code: str) -> SubIcb:
        found = self._by_code.get(code)
        if not isinstance(found, SubIcb):
            raise KeyError(code)
        return found

    def place(self, code: str) -> Place:
        found = self._by_code.get(code)
        if not isinstance(found, Place):
            raise KeyError(code)
        return found

    def systems_of(self, region_code: str) -> tuple[System, ...]:
        return tuple(s for s in self.systems if s.region_code == region_code)

    def sub_icbs_of(self, system_code: str) -> tuple[SubIcb, ...]:
        return tuple(s for s in self.sub_icbs if s.system_code == system_code)

    def places_of(self, system_code: str) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.system_code == system_code)

    def lsoas_of(self, area_code: str) -> tuple[Lsoa, ...]:
        """LSOAs of a system, sub-ICB location or place (by its code)."""
        return tuple(
            x for x in self.lsoas if area_code in (x.system_code, x.sub_icb_code, x.place_code)
        )

    def practices_of(self, area_code: str, *, active_only: bool = True) -> tuple[Practice, ...]:
        """Practices of a system, sub-ICB location or place; open ones unless told otherwise."""
        return tuple(
            p
            for p in self.practices
            if area_code in (p.system_code, p.sub_icb_code, p.place_code)
            and (p.is_active or not active_only)
        )

    def pcns_of(self, area_code: str) -> tuple[Pcn, ...]:
        return tuple(
            p for p in self.pcns if area_code in (p.system_code, p.sub_icb_code, p.place_code)
        )

    def trusts_of(self, system_code: str) -> tuple[Trust, ...]:
        return tuple(t for t in self.trusts if t.system_code == system_code)

    def population_of(self, area_code: str) -> int:
        """Resident population of a system, sub-ICB location or place (0 for an unknown code)."""
        return sum(x.total_population for x in self.lsoas_of(area_code))

    @property
    def total_population(self) -> int:
        return sum(x.total_population for x in self.lsoas)
