"""Nearest-neighbour peer groups of systems on structural need, in the manner of CIPFA's model.

Features per system, from the structure register as at a date (:func:`system_features`):

======================  ==========================================================================
population              residents (ONS mid-year estimates; 2011 LSOAs mapped to 2021 by shares);
                        compared on a log10 scale, so 1m vs 2m is as far apart as 0.5m vs 1m
share_65_plus           residents aged 65+ / residents
imd_score               population-weighted mean IMD 2025 score of the system's LSOAs
core20_share            residents of LSOAs in national IMD 2025 deciles 1–2 / residents
rural_share             residents of LSOAs classed Rural (RUC 2021) / residents
places                  places of the system (configured, else its LADs)
local_authorities       LADs with any of the system's LSOAs
acute_trusts ...        NHS trusts whose ODS commissioner is the system, by type (acute, mental
                        health, community, ambulance)
======================  ==========================================================================

Each feature is standardised to a z-score across the systems compared (population standard
deviation); the distance between two systems is the weighted root mean square of their z-score
differences, ``d = √(Σ w_f (z_af − z_bf)² / Σ w_f)``. A system's peers are the ``n`` nearest, ties
broken by code. Each peer is explained by the share of ``d²`` each feature contributes. Systems
and features are sorted before any arithmetic, so the result never depends on input order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select

from icsys.domain.levels import Level, Relation
from icsys.reference.register import Snapshot
from icsys.store import models as m

FEATURES: Final[dict[str, str]] = {
    "population": "Resident population (compared on a log scale)",
    "share_65_plus": "Share of residents aged 65 and over",
    "imd_score": "Population-weighted IMD 2025 score",
    "core20_share": "Share of residents in the most deprived 20% of LSOAs (Core20)",
    "rural_share": "Share of residents in rural LSOAs (RUC 2021)",
    "places": "Number of places",
    "local_authorities": "Number of local authority districts",
    "acute_trusts": "Acute trusts",
    "mental_health_trusts": "Mental health trusts",
    "community_trusts": "Community trusts",
    "ambulance_trusts": "Ambulance trusts",
}
DEFAULT_WEIGHTS: Final[dict[str, float]] = {
    "population": 2.0,
    "share_65_plus": 1.5,
    "imd_score": 2.0,
    "core20_share": 1.0,
    "rural_share": 1.5,
    "places": 1.0,
    "local_authorities": 0.5,
    "acute_trusts": 0.5,
    "mental_health_trusts": 0.25,
    "community_trusts": 0.25,
    "ambulance_trusts": 0.0,
}
LOG_FEATURES: Final = frozenset({"population"})
TRUST_FEATURES: Final[dict[str, str]] = {
    "acute": "acute_trusts",
    "mental_health": "mental_health_trusts",
    "community": "community_trusts",
    "ambulance": "ambulance_trusts",
}
AGE_65: Final = 65
CORE20_DECILES: Final = (1, 2)

Features = dict[str, dict[str, float | None]]


# --- features from the register --------------------------------------------------------------
def resident_ages(snap: Snapshot) -> dict[str, tuple[float, float]]:
    """(persons, persons aged 65+) per 2021 LSOA from the latest single-year estimates.

    Persons rows (``sex = P``) are used, else males and females summed; 2011 LSOAs are mapped to
    2021 LSOAs by the register's LSOA shares (the same rule as ``Snapshot.resident_population``).
    """
    query = select(
        m.population.c.level,
        m.population.c.code,
        m.population.c.year,
        m.population.c.sex,
        m.population.c.ages,
    ).where(m.population.c.level.in_([Level.LSOA21.value, Level.LSOA11.value]))
    best: dict[tuple[str, str], tuple[int, bool]] = {}
    cells: dict[tuple[str, str, int, bool], list[float]] = {}
    with snap.engine.connect() as conn:
        for level, code, year, sex, ages in conn.execute(query):
            persons = sex == "P"
            values = [float(a) for a in ages.split(",")]
            key = (level, code, year, persons)
            if key in cells:
                cells[key] = [a + b for a, b in zip(cells[key], values, strict=True)]
            else:
                cells[key] = values
            if (level, code) not in best or (year, persons) > best[(level, code)]:
                best[(level, code)] = (year, persons)
    mapping = snap._parents(Level.LSOA11, Level.LSOA21, Relation.LSOA_MAP)  # noqa: SLF001
    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (level, code), (year, persons) in best.items():
        ages = cells[(level, code, year, persons)]
        total, old = sum(ages), sum(ages[AGE_65:])
        targets = [(code, 1.0)] if level == Level.LSOA21 else mapping.get(code, [])
        for new, share in targets:
            out[new][0] += total * (share or 1.0)
            out[new][1] += old * (share or 1.0)
    return {code: (t, o) for code, (t, o) in out.items()}


def _imd_scores(snap: Snapshot) -> dict[str, float]:
    query = (
        select(m.deprivation.c.code, m.deprivation.c.score)
        .where(m.deprivation.c.edition == "imd2025", m.deprivation.c.score.is_not(None))
        .order_by(m.deprivation.c.batch_id)
    )
    with snap.engine.connect() as conn:
        return {code: float(score) for code, score in conn.execute(query)}


def _rural(snap: Snapshot) -> dict[str, bool]:
    query = select(m.attribute.c.code, m.attribute.c.value_text).where(
        m.attribute.c.name == "urban_rural", m.attribute.c.level == Level.LSOA21
    )
    with snap.engine.connect() as conn:
        return {
            code: (text or "").lower().startswith("rural") for code, text in conn.execute(query)
        }


def system_features(snap: Snapshot) -> Features:  # noqa: C901 - one pass, every feature
    """The structural features of every system in force at the snapshot's date."""
    systems = snap.codes(Level.SYSTEM)
    lsoas = snap.rows(Level.LSOA21)
    ages = resident_ages(snap)
    scores, rural, deciles = _imd_scores(snap), _rural(snap), snap.imd_decile
    acc: dict[str, dict[str, float]] = {s: defaultdict(float) for s in systems}
    lads: dict[str, set[str]] = defaultdict(set)
    for row in lsoas:
        system = row.system_code
        if system not in acc:
            continue
        a = acc[system]
        total, old = ages.get(row.code, (0.0, 0.0))
        a["population"] += total
        a["old"] += old
        if row.code in scores:
            a["imd_weight"] += total
            a["imd_sum"] += total * scores[row.code]
        if row.code in deciles:
            a["decile_weight"] += total
            a["core20"] += total * (deciles[row.code] in CORE20_DECILES)
        if row.code in rural:
            a["rural_weight"] += total
            a["rural"] += total * rural[row.code]
        if row.extra.get("lad_code"):
            lads[system].add(str(row.extra["lad_code"]))
    places: dict[str, int] = defaultdict(int)
    for place in snap.places():
        places[place.system_code or ""] += 1
    trusts: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(TRUST_FEATURES.values(), 0)
    )
    for trust in snap.rows(Level.TRUST):
        kind = TRUST_FEATURES.get(str(trust.extra.get("trust_type") or ""))
        if trust.system_code and kind:
            trusts[trust.system_code][kind] += 1

    def ratio(num: float, den: float) -> float | None:
        return num / den if den > 0 else None

    out: Features = {}
    for system in systems:
        a = acc[system]
        out[system] = {
            "population": a["population"] or None,
            "share_65_plus": ratio(a["old"], a["population"]),
            "imd_score": ratio(a["imd_sum"], a["imd_weight"]),
            "core20_share": ratio(a["core20"], a["decile_weight"]),
            "rural_share": ratio(a["rural"], a["rural_weight"]),
            "places": float(places.get(system, 0)),
            "local_authorities": float(len(lads.get(system, ()))),
            **{k: float(v) for k, v in trusts[system].items()},
        }
    return out


# --- the model ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeerConfig:
    """Feature weights (a weight of 0 keeps a feature on show but out of the distance)."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    n: int = 5

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown peer features {unknown}; expected some of {list(FEATURES)}")
        bad = sorted(k for k, w in self.weights.items() if not (w >= 0 and math.isfinite(w)))
        if bad:
            raise ValueError(f"peer weights must be finite and not negative: {bad}")
        if not any(self.weights.values()):
            raise ValueError("at least one peer weight must be positive")
        if self.n < 1:
            raise ValueError("n must be at least 1")


@dataclass(frozen=True)
class Contribution:
    feature: str
    weight: float
    system_value: float | None
    peer_value: float | None
    z_difference: float
    share: float  # of the squared distance


@dataclass(frozen=True)
class Peer:
    code: str
    rank: int
    distance: float
    contributions: tuple[Contribution, ...]

    @property
    def drivers(self) -> tuple[str, ...]:
        """Features that make up most of the distance (largest first, down to 80 % of it)."""
        out, total = [], 0.0
        for c in sorted(self.contributions, key=lambda c: (-c.share, c.feature)):
            if total >= 0.8 or c.share == 0:
                break
            out.append(c.feature)
            total += c.share
        return tuple(out)

    @property
    def alike(self) -> tuple[str, ...]:
        """Weighted features on which the two are within 0.25 standard deviations."""
        return tuple(
            c.feature for c in self.contributions if c.weight > 0 and abs(c.z_difference) < 0.25
        )

    def explanation(self) -> str:
        drivers = ", ".join(
            f"{c.feature} {100 * c.share:.0f}%"
            for c in sorted(self.contributions, key=lambda c: (-c.share, c.feature))
            if c.feature in self.drivers
        )
        alike = ", ".join(self.alike) or "none"
        differs = drivers or "nothing"
        return f"distance {self.distance:.3f}; differs most on {differs}; alike on {alike}"


@dataclass(frozen=True)
class PeerModel:
    """Standardised features of a set of systems, and the distances between them."""

    config: PeerConfig
    systems: tuple[str, ...]
    raw: Mapping[str, Mapping[str, float | None]]
    z: Mapping[str, Mapping[str, float]]
    means: Mapping[str, float]
    sds: Mapping[str, float]
    notes: tuple[str, ...]

    def distance(self, a: str, b: str) -> float:
        weights = self.config.weights
        total = sum(weights.get(f, 0.0) for f in FEATURES)
        squared = sum(weights.get(f, 0.0) * (self.z[a][f] - self.z[b][f]) ** 2 for f in FEATURES)
        return math.sqrt(squared / total)

    def peers(self, system: str, n: int | None = None) -> list[Peer]:
        if system not in self.z:
            raise KeyError(system)
        count = n or self.config.n
        ranked = sorted(
            (self.distance(system, other), other) for other in self.systems if other != system
        )[:count]
        return [
            Peer(other, rank, d, self._contributions(system, other))
            for rank, (d, other) in enumerate(ranked, start=1)
        ]

    def _contributions(self, a: str, b: str) -> tuple[Contribution, ...]:
        weights = self.config.weights
        parts = {f: weights.get(f, 0.0) * (self.z[a][f] - self.z[b][f]) ** 2 for f in FEATURES}
        total = sum(parts.values())
        return tuple(
            Contribution(
                f,
                weights.get(f, 0.0),
                self.raw[a].get(f),
                self.raw[b].get(f),
                self.z[b][f] - self.z[a][f],
                parts[f] / total if total else 0.0,
            )
            for f in FEATURES
        )


def build_peer_model(
    features: Mapping[str, Mapping[str, float | None]], config: PeerConfig | None = None
) -> PeerModel:
    """Standardise ``features`` ({system: {feature: value}}) and set up the distances."""
    config = config or PeerConfig()
    systems = tuple(sorted(features))
    if len(systems) < 2:
        raise ValueError("peer groups need at least two systems")
    notes: list[str] = []
    z: dict[str, dict[str, float]] = {s: {} for s in systems}
    means: dict[str, float] = {}
    sds: dict[str, float] = {}
    for f in FEATURES:
        values = {s: features[s].get(f) for s in systems}
        known = {
            s: (math.log10(v) if f in LOG_FEATURES and v > 0 else float(v))
            for s, v in values.items()
            if v is not None and math.isfinite(v) and (f not in LOG_FEATURES or v > 0)
        }
        missing = [s for s in systems if s not in known]
        if not known:
            notes.append(f"{f}: no system has a value; left out")
            means[f], sds[f] = 0.0, 0.0
        else:
            ordered = [known[s] for s in sorted(known)]
            mean = math.fsum(ordered) / len(ordered)
            sd = math.sqrt(math.fsum((v - mean) ** 2 for v in ordered) / len(ordered))
            means[f], sds[f] = mean, sd
            if missing:
                notes.append(f"{f}: missing for {', '.join(missing)}; set to the mean")
            if sd == 0 and config.weights.get(f, 0) > 0:
                notes.append(f"{f}: the same for every system; no effect on distances")
        for s in systems:
            v = known.get(s)
            z[s][f] = 0.0 if v is None or sds[f] == 0 else (v - means[f]) / sds[f]
    raw = {s: dict(features[s]) for s in systems}
    return PeerModel(config, systems, raw, z, means, sds, tuple(notes))
