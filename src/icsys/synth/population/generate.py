"""Generate a synthetic population and its care events, vectorised, block by block.

People are generated in blocks of ``block_size``; block ``b`` draws from its own random stream
``(seed, b)`` and writes its own part-files, so the output is identical whatever the number of
worker processes. The parent calibrates the model once against the structure (prevalence
scalers exactly, event and mortality scalers on a pilot sample drawn from a stream of its own)
and hands the calibration to the workers.

Days are integers (days since 1970-01-01) throughout; seasonality warps time through the
cumulative intensity of each kind of event, so an event's day is drawn by inverting it.
"""

from __future__ import annotations

import math
import os
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.special import ndtr

from icsys.errors import UserError
from icsys.synth.population import model as md
from icsys.synth.population.structure import Frame
from icsys.synth.population.workforce import FEED as WORKFORCE
from icsys.synth.population.workforce import workforce_table

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Rng = np.random.Generator

DAYS_PER_YEAR = 365.25
LOOKBACK_DAYS = 2 * 366  # waiting-list pathways may start this long before the period
NHS_BASE = 900_000_000  # 9xx xxx xxx: never issued to a patient (999 is the NHS test range)
MAX_PERSONS = 50_000_000
N_CONDITIONS = len(md.CONDITIONS)
COND_INDEX = {c.condition: i for i, c in enumerate(md.CONDITIONS)}
PILOT_PERSONS = 200_000
PILOT_STREAM = 2**31 - 1
DEFAULT_END = date(2025, 3, 31)  # the end of financial year 2024-25


@dataclass(frozen=True)
class PopulationSpec:
    """What to generate: ``persons`` alive at ``start``, followed for ``years`` to ``end``;
    living in ``systems`` only when given (ICB codes; default: all of the structure)."""

    persons: int
    years: int = 3
    seed: int = 2026
    end: date = DEFAULT_END
    block_size: int = 50_000
    workers: int = 2
    births: bool = True
    systems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.persons <= MAX_PERSONS:
            raise UserError(f"--persons must be between 1 and {MAX_PERSONS:,}")
        if not 1 <= self.years <= 10:
            raise UserError("--years must be between 1 and 10")
        if self.block_size < 1_000:
            raise UserError("the block size must be at least 1,000 persons")
        if self.workers < 1:
            raise UserError("--workers must be at least 1")

    @property
    def start(self) -> date:
        return self.end.replace(year=self.end.year - self.years) + timedelta(days=1)

    @property
    def blocks(self) -> int:
        return -(-self.persons // self.block_size)

    def block_persons(self, block: int) -> int:
        return min(self.block_size, self.persons - block * self.block_size)


def day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


# --- calibration ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Calibration:
    """The model's levels fitted to one structure: condition probabilities by (condition, sex,
    age, IMD quintile), and scalers for mortality, each event and social care."""

    prevalence: FloatArray  # (conditions, 2 sexes: 0 male 1 female, 91 ages, 5 quintiles)
    envelope: FloatArray  # running maximum over age of ``prevalence`` (onset ages)
    mortality: float
    events: dict[str, float] = field(default_factory=dict)
    social_care: tuple[float, float] = (1.0, 1.0)  # scalers for 65+ and 18-64


def population_cells(frame: Frame) -> FloatArray:
    """Persons by (sex, age, quintile) in the structure."""
    by_q = np.zeros((md.AGES, md.QUINTILES), dtype=np.float64)
    for q in range(md.QUINTILES):
        by_q[:, q] = frame.lsoa_ages[frame.lsoa_quintile == q].sum(axis=0)
    female = md.FEMALE_SHARE[:, None]
    return np.stack([by_q * (1.0 - female), by_q * female])


def _relative(curve: FloatArray, male: float, quintiles: tuple[float, ...]) -> FloatArray:
    sexes = np.array([male, 1.0])[:, None, None]
    table: FloatArray = sexes * curve[None, :, None] * np.array(quintiles)[None, None, :]
    return table


def calibrate_prevalence(frame: Frame) -> tuple[FloatArray, FloatArray]:
    cells = population_cells(frame)
    table = np.zeros((N_CONDITIONS, 2, md.AGES, md.QUINTILES), dtype=np.float64)
    for i, c in enumerate(md.CONDITIONS):
        curve = md.age_curve(c.bands)
        curve[: c.earliest_age] = 0.0
        base = _relative(curve, c.male, c.quintiles)
        denominator = cells[:, c.min_age :, :].sum()
        low, high = 0.0, 1.0
        while (np.minimum(high * base, md.MAX_PREVALENCE) * cells)[:, c.min_age :].sum() < (
            c.target * denominator
        ):
            high *= 2.0
        for _ in range(60):
            mid = (low + high) / 2
            got = (np.minimum(mid * base, md.MAX_PREVALENCE) * cells)[:, c.min_age :].sum()
            low, high = (mid, high) if got < c.target * denominator else (low, mid)
        table[i] = np.minimum(high * base, md.MAX_PREVALENCE)
    return table, np.maximum.accumulate(table, axis=2)


def _fit_mortality(hazard: FloatArray, years: float) -> float:
    """The scaler of ``hazard`` giving the target deaths per person-year over ``years``."""
    low, high = 0.0, 10.0
    for _ in range(50):
        mid = (low + high) / 2
        deaths = np.mean(1.0 - np.exp(-mid * hazard * years))
        person_years = np.mean((1.0 - np.exp(-mid * hazard * years)) / (mid * hazard))
        low, high = (mid, high) if deaths / person_years < md.MORTALITY_TARGET else (low, mid)
    return (low + high) / 2


def _pilot(frame: Frame, spec: PopulationSpec, prevalence: FloatArray) -> tuple[People, Context]:
    """A pilot sample (from a stream of its own) dying at the fitted rate."""
    envelope = np.maximum.accumulate(prevalence, axis=2)
    draft = Calibration(prevalence, envelope, 1.0, {e.name: 1.0 for e in md.EVENTS})
    rng = np.random.default_rng([spec.seed, PILOT_STREAM])
    count = PILOT_PERSONS
    people = draw_people(Context(frame, draft, spec), rng, count, 0, follow=False)
    mortality = _fit_mortality(_mortality_raw(people, people.conditions_start), float(spec.years))
    context = Context(frame, Calibration(prevalence, envelope, mortality, draft.events), spec)
    _deaths(context, rng, people)
    people.conditions_incident &= people.onset < people.exit[:, None]
    return people, context


def _mid_period_prevalence(people: People, context: Context) -> FloatArray:
    """Share of the living on each register in the middle of the period (as QOF counts)."""
    mid = (context.start + context.stop) // 2
    alive = (people.dob <= mid) & (people.exit > mid)
    age = (mid - people.dob) / DAYS_PER_YEAR
    has = (people.conditions_start | people.conditions_incident) & (people.onset <= mid)
    shares = np.zeros(N_CONDITIONS)
    for i, c in enumerate(md.CONDITIONS):
        eligible = alive & (age >= c.min_age)
        shares[i] = has[eligible, i].mean() if eligible.any() else c.target
    return shares


def calibrate(frame: Frame, spec: PopulationSpec) -> Calibration:
    """Fit the model's levels to ``frame``; deterministic for the seed.

    Prevalence is fitted exactly to the population at the start, then corrected once on a pilot
    sample so that it lands on target in the middle of the period, as QOF measures it (people
    with heart failure or dementia die sooner, incident cases join). Mortality is fitted so the
    deaths per person-year hit the target (the very old and ill die early, so their hazard
    saturates); event rates on the person-time of the pilot."""
    prevalence, _ = calibrate_prevalence(frame)
    people, context = _pilot(frame, spec, prevalence)
    measured = _mid_period_prevalence(people, context)
    targets = np.array([c.target for c in md.CONDITIONS])
    factor = targets / np.maximum(measured, 1e-9)
    prevalence = np.minimum(prevalence * factor[:, None, None, None], md.MAX_PREVALENCE)
    people, context = _pilot(frame, spec, prevalence)
    mortality = context.calibration.mortality
    exposure = (people.exit - people.entry).astype(np.float64)
    ever = people.conditions_start | people.conditions_incident
    events = {
        e.name: e.target
        * float(exposure.sum() / (_event_raw(e, people, ever) * people.frailty * exposure).sum())
        for e in md.EVENTS
    }
    mid_age: FloatArray = (people.age + spec.years / 2).astype(np.float64)
    old = mid_age >= 65
    working = (mid_age >= 18) & (mid_age < 65)
    raw = _social_care_raw(people, ever, mid_age)
    social = (
        md.SOCIAL_CARE_65 / float(np.mean(raw[old])) if old.any() else 1.0,
        md.SOCIAL_CARE_18_64 / float(np.mean(raw[working])) if working.any() else 1.0,
    )
    envelope = np.maximum.accumulate(prevalence, axis=2)
    fitted = Calibration(prevalence, envelope, mortality, events, social)
    # once more on the pilot: the share in long-term support in the middle of the period
    context = Context(frame, fitted, spec)
    episodes = _social_care_episodes(
        context, np.random.default_rng([spec.seed, PILOT_STREAM, 1]), people, ever
    )
    mid = (context.start + context.stop) // 2
    alive = (people.dob <= mid) & (people.exit > mid)
    age = (mid - people.dob) / DAYS_PER_YEAR
    during = ~episodes.short & (episodes.first <= mid) & ((episodes.last > mid) | ~episodes.ended)
    receiving = np.zeros(people.n, dtype=np.bool_)
    receiving[episodes.who[during]] = True
    shares = []
    for group, target in (
        (age >= 65, md.SOCIAL_CARE_65),
        ((age >= 18) & (age < 65), md.SOCIAL_CARE_18_64),
    ):
        eligible = alive & group
        got = receiving[eligible].mean() if eligible.any() else target
        shares.append(target / got if got > 0 else 1.0)
    return Calibration(
        prevalence, envelope, mortality, events, (social[0] * shares[0], social[1] * shares[1])
    )


# --- time -------------------------------------------------------------------------------------
class Clock:
    """Seasonal cumulative intensity over the days from ``base`` (lookback) to ``stop``."""

    def __init__(self, base: int, stop: int) -> None:
        self.base = base
        self.days = stop - base
        day = np.arange(base, stop, dtype=np.int64).astype("datetime64[D]")
        months = day.astype("datetime64[M]")
        month = (months.astype(np.int64) % 12).astype(np.float64) + 1.0
        within = (day - months.astype("datetime64[D]")).astype(np.float64) / 30.5
        self.month = month + within - 0.5  # fractional month, 1.0 = mid-January
        self._cum: dict[tuple[float, float], FloatArray] = {}

    def cumulative(self, amplitude: float, peak: float) -> FloatArray:
        key = (amplitude, peak)
        if key not in self._cum:
            weights = md.seasonal_factor(self.month, amplitude, peak)
            self._cum[key] = np.concatenate([[0.0], np.cumsum(weights)])
        return self._cum[key]

    def exposure(self, cum: FloatArray, low: IntArray, high: IntArray) -> FloatArray:
        """Seasonally weighted days between ``low`` and ``high`` (exclusive), per row."""
        lo = np.clip(low - self.base, 0, self.days)
        hi = np.clip(high - self.base, 0, self.days)
        return np.maximum(cum[hi] - cum[lo], 0.0)

    def draw(self, rng: Rng, cum: FloatArray, low: IntArray, high: IntArray) -> IntArray:
        """One day per row, in [low, high), with density proportional to the season."""
        lo = cum[np.clip(low - self.base, 0, self.days)]
        hi = cum[np.clip(high - self.base, 0, self.days)]
        value = lo + rng.random(len(lo)) * (hi - lo)
        index = np.searchsorted(cum, value, side="right") - 1
        return np.clip(index, 0, self.days - 1).astype(np.int64) + self.base

    def at(self, cum: FloatArray, low: IntArray, amount: FloatArray) -> IntArray:
        """The day by which ``amount`` seasonally weighted days have passed since ``low``
        (``self.base + self.days`` when that is after the end)."""
        value = cum[np.clip(low - self.base, 0, self.days)] + amount
        index = np.searchsorted(cum, value, side="right") - 1
        return np.minimum(index, self.days).astype(np.int64) + self.base


# --- the context workers share ----------------------------------------------------------------
class Context:
    """Everything a block needs, prepared once per process."""

    def __init__(self, frame: Frame, calibration: Calibration, spec: PopulationSpec) -> None:
        self.frame = frame
        self.calibration = calibration
        self.spec = spec
        self.start = day_number(spec.start)
        self.stop = day_number(spec.end) + 1  # exclusive
        self.clock = Clock(self.start - LOOKBACK_DAYS, self.stop)
        weights = frame.lsoa_ages.ravel()
        self.cell_cum = np.cumsum(weights) / weights.sum()
        self.birth_cum = np.cumsum(frame.lsoa_ages[:, 0]) / max(frame.lsoa_ages[:, 0].sum(), 1.0)
        totals = frame.lsoa_ages.sum(axis=1)
        self.lsoa_cum = np.cumsum(totals) / totals.sum()
        self.lsoa_in_sub = _grouped(frame.lsoa_sub_icb, totals)
        self.practice_in_sub = _grouped(frame.practice_sub_icb, frame.practice_weight)
        self.acute = _padded(frame.system_acute)
        self.mental_health = _padded(frame.system_mental_health)
        self.community = _padded(frame.system_community)
        self.mortality_hazard = md.mortality_hazard()
        self.ethnicity_cum = _ethnicity_table()


def _grouped(groups: IntArray, weights: FloatArray) -> tuple[FloatArray, IntArray]:
    """For drawing a member of a group in proportion to weight: (keys, order) where member
    ``order[searchsorted(keys, g + u)]`` of group ``g`` is drawn for a uniform ``u``."""
    order = np.lexsort((np.arange(len(groups)), groups))
    g = groups[order]
    w = weights[order].astype(np.float64)
    cum = np.cumsum(w)
    first = np.searchsorted(g, g, side="left")
    before = np.where(first > 0, cum[first - 1], 0.0)
    last = np.searchsorted(g, g, side="right") - 1
    total = cum[last] - before
    keys = g + (cum - before) / np.where(total > 0, total, 1.0)
    return keys, order.astype(np.int64)


def _pick_in_group(rng: Rng, table: tuple[FloatArray, IntArray], group: IntArray) -> IntArray:
    keys, order = table
    pos = np.searchsorted(keys, group + rng.random(len(group)) * 0.999999, side="right")
    return order[np.minimum(pos, len(order) - 1)]


def _padded(lists: tuple[tuple[int, ...], ...]) -> tuple[IntArray, IntArray]:
    width = max((len(x) for x in lists), default=1) or 1
    table = np.zeros((len(lists), width), dtype=np.int64)
    counts = np.zeros(len(lists), dtype=np.int64)
    for i, items in enumerate(lists):
        table[i, : len(items)] = items
        counts[i] = len(items)
    return table, counts


def _pick_trust(rng: Rng, table: tuple[IntArray, IntArray], system: IntArray) -> IntArray:
    codes, counts = table
    slot = (rng.random(len(system)) * np.maximum(counts[system], 1)).astype(np.int64)
    return codes[system, slot]


def _ethnicity_table() -> FloatArray:
    shares = np.array(md.ETHNICITY_SHARES)
    tilt = np.linspace(md.ETHNICITY_DEPRIVATION_TILT, -md.ETHNICITY_DEPRIVATION_TILT, 5)
    rows = []
    for t in tilt:
        s = shares.copy()
        s[1:] *= 1.0 + t
        s[0] = max(1.0 - s[1:].sum(), 0.05)
        rows.append(np.cumsum(s / s.sum()))
    return np.array(rows)


# --- people -----------------------------------------------------------------------------------
@dataclass
class People:
    """One block of people: arrays of length n (spells: (n, 4))."""

    index: IntArray  # global position (stable ids)
    nhs: IntArray
    female: BoolArray
    age: IntArray  # age in whole years at entry (90 = 90+)
    dob: IntArray
    entry: IntArray  # first day in the population (start, or birth)
    exit: IntArray  # death day, or the day after the period
    died: BoolArray
    quintile: IntArray  # of the first LSOA
    ethnicity: IntArray
    frailty: FloatArray
    conditions_start: BoolArray  # (n, conditions)
    conditions_incident: BoolArray
    onset: IntArray  # (n, conditions) day of onset (valid where a condition is present)
    spell_day: IntArray  # (n, 4) registration spell starts; spell 0 may start before the period
    spell_lsoa: IntArray
    spell_practice: IntArray
    spells: IntArray  # number of spells (1..4)

    @property
    def n(self) -> int:
        return len(self.index)

    def spell_at(self, who: IntArray, day: IntArray) -> IntArray:
        later = self.spell_day[who, 1:] <= day[:, None]
        spell: IntArray = np.minimum(later.sum(axis=1), self.spells[who] - 1)
        return spell


def nhs_numbers(block: int, block_size: int, count: int) -> IntArray:
    """``count`` valid modulus-11 NHS numbers reserved for ``block``: 9xx xxx xxx, never issued."""
    width = math.ceil(block_size * 1.25 * 10 / 9) + 10
    width += (-width) % 10
    base = NHS_BASE + block * width
    candidates = np.arange(base, base + width, dtype=np.int64)
    total = np.zeros(width, dtype=np.int64)
    for position, weight in enumerate(range(10, 1, -1)):
        total += (candidates // 10 ** (8 - position)) % 10 * weight
    check = 11 - total % 11
    check[check == 11] = 0
    valid = check != 10
    numbers = candidates[valid] * 10 + check[valid]
    if count > len(numbers):  # pragma: no cover - the width leaves room for births
        msg = f"block {block} needs {count} NHS numbers but has {len(numbers)}"
        raise ValueError(msg)
    found: IntArray = numbers[:count]
    return found


def draw_people(
    context: Context, rng: Rng, count: int, block: int, *, follow: bool = True
) -> People:
    """People of one block; ``follow``: also their deaths and registrations."""
    frame, spec, cal = context.frame, context.spec, context.calibration
    start, stop = context.start, context.stop
    cell = np.searchsorted(context.cell_cum, rng.random(count), side="right")
    cell = np.minimum(cell, len(context.cell_cum) - 1)
    lsoa = cell // md.AGES
    age = (cell % md.AGES).astype(np.int64)
    extra = np.where(age == 90, np.minimum(rng.exponential(3.5, count), 15.0), 0.0)
    dob = start - ((age + extra + rng.random(count)) * DAYS_PER_YEAR).astype(np.int64) - 1
    entry = np.full(count, start, dtype=np.int64)
    if spec.births:
        births = int(rng.poisson(md.BIRTH_RATE * count * spec.years))
        b_lsoa = np.searchsorted(context.birth_cum, rng.random(births), side="right")
        b_lsoa = np.minimum(b_lsoa, len(context.birth_cum) - 1)
        b_day = start + (rng.random(births) * (stop - start)).astype(np.int64)
        lsoa = np.concatenate([lsoa, b_lsoa])
        age = np.concatenate([age, np.zeros(births, dtype=np.int64)])
        dob = np.concatenate([dob, b_day])
        entry = np.concatenate([entry, b_day])
    n = len(lsoa)
    female = rng.random(n) < md.FEMALE_SHARE[age]
    sex = female.astype(np.int64)
    quintile = frame.lsoa_quintile[lsoa]
    ethnicity = (rng.random(n)[:, None] > context.ethnicity_cum[quintile]).sum(axis=1)
    frailty = rng.gamma(2.0, 0.5, n)

    # conditions: a Gaussian copula on a shared factor; onset when the curve passes u
    loading = md.COMORBIDITY_LOADING
    factor = rng.standard_normal(n)
    z = loading * factor[:, None] + math.sqrt(1 - loading**2) * rng.standard_normal(
        (n, N_CONDITIONS)
    )
    u = ndtr(z)
    age_end = np.minimum(age + spec.years, 90)
    p_start = cal.prevalence[:, sex, age, quintile].T
    p_end = cal.envelope[:, sex, age_end, quintile].T
    has_start = u < p_start
    incident = ~has_start & (u < p_end)
    # first age at which the envelope passes u: one search per condition over the envelopes of
    # every (sex, quintile) laid end to end, each shifted by 2 x its group number
    group = sex * md.QUINTILES + quintile
    onset = np.zeros((n, N_CONDITIONS), dtype=np.int64)
    for i in range(N_CONDITIONS):
        flat = (cal.envelope[i].transpose(0, 2, 1) + 2.0 * np.arange(10).reshape(2, 5, 1)).ravel()
        onset_age = np.searchsorted(flat, 2.0 * group + u[:, i], side="right") - group * md.AGES
        onset_age = np.minimum(onset_age, age)
        day = dob + ((onset_age + rng.random(n)) * DAYS_PER_YEAR).astype(np.int64)
        onset[:, i] = np.clip(day, dob, start - 1)
    window = np.maximum(stop - entry, 1)
    incident_day = entry[:, None] + (rng.random((n, N_CONDITIONS)) * window[:, None]).astype(
        np.int64
    )
    onset = np.where(
        incident, incident_day, np.where(has_start, np.maximum(onset, dob[:, None]), 0)
    )

    people = People(
        index=np.arange(n, dtype=np.int64) + block * spec.block_size,
        nhs=nhs_numbers(block, max(spec.block_size, count), n),
        female=female,
        age=age,
        dob=dob,
        entry=entry,
        exit=np.full(n, stop, dtype=np.int64),
        died=np.zeros(n, dtype=np.bool_),
        quintile=quintile,
        ethnicity=ethnicity,
        frailty=frailty,
        conditions_start=has_start,
        conditions_incident=incident,
        onset=onset,
        spell_day=np.zeros((n, 4), dtype=np.int64),
        spell_lsoa=np.repeat(lsoa[:, None], 4, axis=1),
        spell_practice=np.zeros((n, 4), dtype=np.int64),
        spells=np.ones(n, dtype=np.int64),
    )
    if follow:
        _deaths(context, rng, people)
        # incident conditions after death did not happen
        people.conditions_incident &= people.onset < people.exit[:, None]
        _registrations(context, rng, people)
    return people


def _mortality_raw(people: People, conditions: BoolArray) -> FloatArray:
    hazard: FloatArray = md.mortality_hazard()[people.age]
    hazard = hazard * np.where(people.female, md.MORTALITY_FEMALE, md.MORTALITY_MALE)
    hazard = hazard * np.array(md.MORTALITY_QUINTILES)[people.quintile]
    for condition, mult in md.MORTALITY_CONDITIONS.items():
        hazard = hazard * np.where(conditions[:, COND_INDEX[condition]], mult, 1.0)
    return hazard


def _deaths(context: Context, rng: Rng, people: People) -> None:
    hazard = _mortality_raw(people, people.conditions_start) * context.calibration.mortality
    cum = context.clock.cumulative(md.MORTALITY_SEASONALITY, 1.0)
    need = rng.exponential(1.0, people.n) * DAYS_PER_YEAR / np.maximum(hazard, 1e-9)
    day = context.clock.at(cum, people.entry, need)
    died = day < context.stop
    people.died = died
    people.exit = np.where(died, np.maximum(day, people.entry) + 1, context.stop)


def _registrations(context: Context, rng: Rng, people: People) -> None:
    """Registration spells: a practice in the sub-ICB location of the home, then moves."""
    frame, spec = context.frame, context.spec
    n = people.n
    lsoa0 = people.spell_lsoa[:, 0]
    practice0 = _pick_in_group(rng, context.practice_in_sub, frame.lsoa_sub_icb[lsoa0])
    since = (rng.exponential(10.0, n) * DAYS_PER_YEAR).astype(np.int64)
    first = np.maximum.reduce(
        [people.dob, context.start - since, frame.practice_from_day[practice0]]
    )
    first = np.where(people.entry > context.start, people.entry, np.minimum(first, context.start))
    people.spell_day[:, 0] = first
    people.spell_practice[:, 0] = practice0

    move_rate = md.MOVE_RATE[people.age]
    total_rate = move_rate + md.PRACTICE_CHANGE_RATE
    alive_years = (people.exit - people.entry) / DAYS_PER_YEAR
    moves = np.minimum(rng.poisson(total_rate * alive_years), 3)
    span = np.maximum(people.exit - people.entry - 1, 1)
    offsets = np.sort((rng.random((n, 3)) * span[:, None]).astype(np.int64), axis=1)
    days = people.entry[:, None] + 1 + offsets
    for k in range(1, 3):
        days[:, k] = np.maximum(days[:, k], days[:, k - 1] + 1)
    home_move = rng.random((n, 3)) < (move_rate / total_rate)[:, None]
    anywhere = rng.random((n, 3)) >= md.MOVE_WITHIN_SUB_ICB
    spells = np.ones(n, dtype=np.int64)
    for k in range(3):
        moving = (moves > k) & (days[:, k] < people.exit - 1)
        current = people.spell_lsoa[:, k]
        sub = frame.lsoa_sub_icb[current]
        near = _pick_in_group(rng, context.lsoa_in_sub, sub)
        far = np.searchsorted(context.lsoa_cum, rng.random(n), side="right")
        far = np.minimum(far, len(context.lsoa_cum) - 1)
        new_lsoa = np.where(home_move[:, k], np.where(anywhere[:, k], far, near), current)
        new_practice = _pick_in_group(rng, context.practice_in_sub, frame.lsoa_sub_icb[new_lsoa])
        people.spell_lsoa[:, k + 1] = np.where(moving, new_lsoa, current)
        people.spell_practice[:, k + 1] = np.where(
            moving, new_practice, people.spell_practice[:, k]
        )
        people.spell_day[:, k + 1] = np.where(moving, days[:, k], np.iinfo(np.int64).max)
        spells += moving & (spells == k + 1)
    people.spells = spells
    # spells beyond the count never start
    for k in range(1, 4):
        people.spell_day[:, k] = np.where(
            k < spells, people.spell_day[:, k], np.iinfo(np.int64).max
        )
    if spec.years < 0:  # pragma: no cover - validated in PopulationSpec
        raise AssertionError


# --- events -----------------------------------------------------------------------------------
def _event_raw(event: md.EventModel, people: People, conditions: BoolArray) -> FloatArray:
    rate: FloatArray = md.age_curve(event.bands)[people.age]
    rate = rate * np.where(people.female, 1.0, event.male)
    rate = rate * np.array(event.quintiles)[people.quintile]
    for condition, mult in event.conditions.items():
        rate = rate * np.where(conditions[:, COND_INDEX[condition]], mult, 1.0)
    return rate


def _social_care_raw(people: People, conditions: BoolArray, age: FloatArray) -> FloatArray:
    """Relative chance of long-term support at ``age`` (the age in the middle of the period)."""
    ages = sorted(md.SOCIAL_CARE_AGE)
    raw = np.interp(age, [*ages, 90], [*(md.SOCIAL_CARE_AGE[a] for a in ages), 4.5])
    raw = raw * np.array(md.MORTALITY_QUINTILES)[people.quintile]
    for condition, mult in md.SOCIAL_CARE_CONDITIONS.items():
        raw = raw * np.where(conditions[:, COND_INDEX[condition]], mult, 1.0)
    return np.where(age >= 18, raw, 0.0)


@dataclass
class Events:
    """Rows of one kind of event: who (index into the block's people) and the day."""

    who: IntArray
    day: IntArray


def draw_events(
    context: Context, rng: Rng, people: People, event: md.EventModel, ever: BoolArray, low: IntArray
) -> Events:
    rate = _event_raw(event, people, ever) * people.frailty
    rate = rate * context.calibration.events[event.name] / DAYS_PER_YEAR
    cum = context.clock.cumulative(event.amplitude, event.peak_month)
    exposure = context.clock.exposure(cum, low, people.exit)
    counts = rng.poisson(rate * exposure)
    who = np.repeat(np.arange(people.n, dtype=np.int64), counts)
    day = context.clock.draw(rng, cum, low[who], people.exit[who])
    order = np.lexsort((day, who))
    return Events(who[order], day[order])


def _lognormal_minutes(rng: Rng, median: float, sigma: float, n: int) -> IntArray:
    return np.maximum(rng.lognormal(math.log(median), sigma, n), 5.0).astype(np.int64)


def _choice(rng: Rng, weights: tuple[float, ...], n: int) -> IntArray:
    cum = np.cumsum(np.array(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cum / cum[-1], rng.random(n), side="right"), len(cum) - 1)


EMERGENCY_DIAGNOSES = (
    ("J18.9", 0.09), ("N39.0", 0.06), ("R07.4", 0.08), ("R10.4", 0.07), ("J22", 0.05),
    ("A41.9", 0.03), ("S72.0", 0.02), ("R55", 0.04), ("K59.0", 0.02), ("L03.1", 0.03),
    ("R06.0", 0.03), ("J06.9", 0.04), ("K92.2", 0.02), ("E87.1", 0.02), ("R51", 0.03),
    ("S06.0", 0.02), ("T78.4", 0.01), ("F10.0", 0.02), ("R69", 0.05), ("K35.8", 0.02),
    ("O47.0", 0.02), ("P59.9", 0.02), ("B34.9", 0.04), ("I80.2", 0.02), ("R41.0", 0.02),
    ("W19", 0.01), ("R11", 0.03),
)  # fmt: skip
CONDITION_DIAGNOSES = {
    md.Condition.HEART_FAILURE: "I50.9",
    md.Condition.COPD: "J44.1",
    md.Condition.CHD: "I21.9",
    md.Condition.STROKE: "I63.9",
    md.Condition.AF: "I48.9",
    md.Condition.DIABETES: "E11.6",
    md.Condition.ASTHMA: "J45.9",
    md.Condition.DEMENTIA: "F03",
    md.Condition.SMI: "F20.9",
    md.Condition.CANCER: "C34.9",
}
ELECTIVE_DIAGNOSES = (
    ("H25.9", 0.1), ("M17.1", 0.06), ("M16.1", 0.04), ("K80.2", 0.05), ("K40.9", 0.04),
    ("Z51.1", 0.1), ("N20.0", 0.03), ("K57.3", 0.04), ("D12.6", 0.05), ("K21.9", 0.04),
    ("H35.3", 0.08), ("N40", 0.03), ("M51.1", 0.03), ("G56.0", 0.03), ("C50.9", 0.03),
    ("C18.9", 0.02), ("D25.9", 0.03), ("N81.1", 0.02), ("I83.9", 0.02), ("L72.1", 0.03),
    ("Z30.2", 0.01), ("J34.2", 0.02), ("M75.1", 0.03), ("R19.5", 0.07),
)  # fmt: skip
AE_DISPOSALS = (("02", 0.25), ("03", 0.45), ("05", 0.04), ("06", 0.05), ("07", 0.01),
                ("11", 0.08), ("12", 0.03), ("13", 0.01), ("14", 0.08))  # fmt: skip
COMMUNITY_SERVICES = (
    ("district_nursing", 0.4), ("physiotherapy", 0.12), ("podiatry", 0.1),
    ("community_rehabilitation", 0.08), ("speech_and_language_therapy", 0.04),
    ("health_visiting", 0.1), ("school_nursing", 0.06), ("community_matron", 0.1),
)  # fmt: skip
MENTAL_HEALTH_SERVICES = (
    ("community_mental_health_team", 0.35), ("talking_therapies", 0.3), ("crisis_team", 0.07),
    ("early_intervention_in_psychosis", 0.05), ("children_and_young_people", 0.13),
    ("memory_service", 0.1),
)  # fmt: skip


@dataclass
class Block:
    """The feeds of one block as Arrow tables, keyed by feed name."""

    tables: dict[str, pa.Table]
    people: int


def _date(days: IntArray) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.date32())


def _nullable_date(days: IntArray, valid: BoolArray) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.date32(), mask=~valid)


def _timestamp(seconds: IntArray) -> pa.Array:
    """Naive timestamps to the second (CSV: ``YYYY-MM-DD HH:MM:SS``, the contract's format)."""
    return pa.array(seconds.astype("datetime64[s]"), type=pa.timestamp("s"))


def _ids(block: int, prefix: int, count: int) -> pa.Array:
    numbers = (prefix * 10_000 + block) * 10_000_000_000 + np.arange(count, dtype=np.int64)
    return pa.array(numbers).cast(pa.string())


def _strings(codes: tuple[str, ...], index: IntArray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(index.astype(np.int32)), pa.array(codes, type=pa.string())
    ).cast(pa.string())


def generate_block(context: Context, block: int) -> Block:
    """All the feeds of block ``block``: depends only on (seed, block) and the calibration."""
    spec, frame = context.spec, context.frame
    rng = np.random.default_rng([spec.seed, block])
    people = draw_people(context, rng, spec.block_persons(block), block)
    ever = people.conditions_start | people.conditions_incident
    nhs = pa.array(people.nhs).cast(pa.string())
    tables: dict[str, pa.Table] = {}
    final_lsoa = people.spell_lsoa[np.arange(people.n), people.spells - 1]
    tables["persons"] = pa.table(
        {
            "nhs_number": nhs,
            "sex": _strings(("1", "2"), people.female.astype(np.int64)),
            "date_of_birth": _date(people.dob),
            "ethnicity": _strings(md.ETHNICITY_CODES, people.ethnicity),
            "lsoa_code": _strings(frame.lsoa_codes, final_lsoa),
            "date_of_death": _nullable_date(people.exit - 1, people.died),
        }
    )
    tables["registrations"] = _registration_table(context, people, nhs)
    tables["conditions"] = _condition_table(people, nhs)
    tables.update(_hospital_tables(context, rng, people, ever, nhs, block))
    tables.update(_contact_tables(context, rng, people, ever, nhs, block))
    tables["social_care_services"] = _social_care_table(context, rng, people, ever, nhs, block)
    tables["waiting_list"] = _waiting_table(context, rng, people, ever, nhs, block)
    return Block(tables, people.n)


def _registration_table(context: Context, people: People, nhs: pa.Array) -> pa.Table:
    frame = context.frame
    k = np.arange(4)
    present = k[None, :] < people.spells[:, None]
    who, spell = np.nonzero(present)
    start = people.spell_day[who, spell]
    nxt = np.where(
        spell + 1 < people.spells[who], people.spell_day[who, np.minimum(spell + 1, 3)], 0
    )
    last = spell + 1 >= people.spells[who]
    end = np.where(last, people.exit[who] - 1, nxt - 1)
    has_end = ~last | people.died[who]
    return pa.table(
        {
            "nhs_number": nhs.take(pa.array(who)),
            "practice_code": _strings(frame.practice_codes, people.spell_practice[who, spell]),
            "start_date": _date(start),
            "end_date": _nullable_date(np.maximum(end, start), has_end),
        }
    )


def _condition_table(people: People, nhs: pa.Array) -> pa.Table:
    present = (people.conditions_start | people.conditions_incident) & (
        people.onset < people.exit[:, None]
    )
    who, which = np.nonzero(present)
    clusters = tuple(c.condition.value for c in md.CONDITIONS)
    snomed = tuple(c.snomed for c in md.CONDITIONS)
    return pa.table(
        {
            "nhs_number": nhs.take(pa.array(who)),
            "cluster": _strings(clusters, which),
            "onset_date": _date(people.onset[who, which]),
            "code_system": pa.array(np.full(len(who), "snomed", dtype=object), type=pa.string()),
            "code": _strings(snomed, which),
        }
    )


def _where(context: Context, people: People, who: IntArray, day: IntArray) -> tuple[IntArray, ...]:
    """LSOA, practice and system of each person at each day."""
    spell = people.spell_at(who, day)
    lsoa = people.spell_lsoa[who, spell]
    practice = people.spell_practice[who, spell]
    system = context.frame.sub_icb_system[context.frame.lsoa_sub_icb[lsoa]]
    return lsoa, practice, system


def _located(context: Context, people: People, who: IntArray, day: IntArray) -> dict[str, pa.Array]:
    lsoa, practice, _ = _where(context, people, who, day)
    return {
        "practice_code": _strings(context.frame.practice_codes, practice),
        "lsoa_code": _strings(context.frame.lsoa_codes, lsoa),
    }


def _hospital_tables(
    context: Context, rng: Rng, people: People, ever: BoolArray, nhs: pa.Array, block: int
) -> dict[str, pa.Table]:
    frame = context.frame
    # emergency admissions, 70% through a type 1 A&E attendance the same day
    em = draw_events(context, rng, people, md.EMERGENCY, ever, people.entry)
    n_em = len(em.who)
    via_ae = rng.random(n_em) < md.EMERGENCY_VIA_AE
    other_methods = ("22", "23", "24", "28", "2D")
    method_em = np.where(
        via_ae, "21", np.array(other_methods)[_choice(rng, (0.55, 0.1, 0.15, 0.1, 0.1), n_em)]
    )
    scale = 1.0 + people.age[em.who] / 60.0
    los_em = np.where(
        rng.random(n_em) < md.EMERGENCY_ZERO_LOS,
        0,
        np.ceil(rng.lognormal(math.log(md.EMERGENCY_LOS[0]), md.EMERGENCY_LOS[1], n_em) * scale),
    ).astype(np.int64)
    dx_codes = np.array([d for d, _ in EMERGENCY_DIAGNOSES], dtype=object)
    dx_em = dx_codes[_choice(rng, tuple(w for _, w in EMERGENCY_DIAGNOSES), n_em)]
    for condition, code in CONDITION_DIAGNOSES.items():
        has = ever[em.who, COND_INDEX[condition]] & (rng.random(n_em) < 0.25)
        dx_em = np.where(has, code, dx_em)

    el = draw_events(context, rng, people, md.ELECTIVE, ever, people.entry)
    n_el = len(el.who)
    method_el = np.array(("11", "12", "13"))[_choice(rng, (0.6, 0.3, 0.1), n_el)]
    day_case = rng.random(n_el) < md.ELECTIVE_DAY_CASE
    los_el = np.where(
        day_case,
        0,
        np.ceil(rng.lognormal(math.log(md.ELECTIVE_LOS[0]), md.ELECTIVE_LOS[1], n_el)),
    ).astype(np.int64)
    el_codes = np.array([d for d, _ in ELECTIVE_DIAGNOSES], dtype=object)
    dx_el = el_codes[_choice(rng, tuple(w for _, w in ELECTIVE_DIAGNOSES), n_el)]

    who = np.concatenate([em.who, el.who])
    day = np.concatenate([em.day, el.day])
    los = np.concatenate([los_em, los_el])
    # the spell ends at death at the latest
    discharge = np.minimum(day + los, people.exit[who] - 1)
    discharge = np.maximum(discharge, day)
    _, _, system = _where(context, people, who, day)
    trust = _pick_trust(rng, context.acute, system)
    cost = np.where(
        np.arange(len(who)) < n_em,
        1500.0 + 450.0 * los,
        np.where(los == 0, 900.0, 3500.0 + 400.0 * los),
    ) * rng.lognormal(0.0, 0.3, len(who))
    spells = pa.table(
        {
            "spell_id": _ids(block, 1, len(who)),
            "nhs_number": nhs.take(pa.array(who)),
            "provider_code": _strings(frame.trust_codes, trust),
            "admission_date": _date(day),
            "discharge_date": _date(discharge),
            "admission_method": pa.array(np.concatenate([method_em, method_el]).astype(object)),
            "primary_diagnosis": pa.array(np.concatenate([dx_em, dx_el]), type=pa.string()),
            "cost": pa.array(np.round(cost, 2)),
            **_located(context, people, who, day),
        }
    )

    admitted = np.nonzero(via_ae)[0]
    return {
        "hospital_spells": spells,
        "ae_attendances": _ae_table(
            context,
            rng,
            people,
            ever,
            nhs,
            block,
            (em.who[admitted], em.day[admitted], trust[:n_em][admitted]),
        ),
        "outpatient_appointments": _outpatient_table(context, rng, people, ever, nhs, block),
    }


def _ae_table(
    context: Context,
    rng: Rng,
    people: People,
    ever: BoolArray,
    nhs: pa.Array,
    block: int,
    admitted: tuple[IntArray, IntArray, IntArray],
) -> pa.Table:
    """A&E: the attendances ending in an emergency admission, and the rest (type 1 or 3)."""
    frame = context.frame
    ae = draw_events(context, rng, people, md.AE, ever, people.entry)
    n_ae = len(ae.who)
    type1 = rng.random(n_ae) < md.AE_TYPE1_SHARE
    a_who = np.concatenate([admitted[0], ae.who])
    a_day = np.concatenate([admitted[1], ae.day])
    n_adm = len(admitted[0])
    kind = np.concatenate([np.zeros(n_adm, dtype=np.int64), np.where(type1, 1, 2)])
    minutes = np.empty(len(a_who), dtype=np.int64)
    for k, key in enumerate(("admitted", "type1", "type3")):
        mask = kind == k
        median, sigma = md.AE_DURATION[key]
        minutes[mask] = _lognormal_minutes(rng, median, sigma, int(mask.sum()))
    arrival = a_day * 86_400 + _arrival_seconds(rng, len(a_who))
    departure = arrival + minutes * 60
    disposal_codes = np.array([d for d, _ in AE_DISPOSALS], dtype=object)
    disposal = np.where(
        kind == 0, "01", disposal_codes[_choice(rng, tuple(w for _, w in AE_DISPOSALS), len(kind))]
    )
    # the admitted go to the trust of their spell; the others to one of their system's trusts
    _, _, a_system = _where(context, people, a_who, a_day)
    a_trust = _pick_trust(rng, context.acute, a_system)
    a_trust[:n_adm] = admitted[2]
    return pa.table(
        {
            "attendance_id": _ids(block, 2, len(a_who)),
            "nhs_number": nhs.take(pa.array(a_who)),
            "provider_code": _strings(frame.trust_codes, a_trust),
            "arrival_time": _timestamp(arrival),
            "departure_time": _timestamp(departure),
            "department_type": pa.array(np.where(kind == 2, "03", "01").astype(object)),
            "disposal": pa.array(disposal, type=pa.string()),
            **_located(context, people, a_who, a_day),
        }
    )


def _outpatient_table(
    context: Context, rng: Rng, people: People, ever: BoolArray, nhs: pa.Array, block: int
) -> pa.Table:
    frame = context.frame
    op = draw_events(context, rng, people, md.OUTPATIENT, ever, people.entry)
    n_op = len(op.who)
    first = rng.random(n_op) < md.OUTPATIENT_FIRST
    remote = rng.random(n_op) < 0.2
    first_code = np.where(first, np.where(remote, "3", "1"), np.where(remote, "4", "2"))
    status = np.array(("5", "6", "3", "7", "2", "4"))[
        _choice(rng, (0.875, 0.01, 0.068, 0.002, 0.025, 0.02), n_op)
    ]
    specialty = np.array([s for s, _, _ in md.SPECIALTIES], dtype=object)
    tf = specialty[_choice(rng, tuple(w for _, _, w in md.SPECIALTIES), n_op)]
    tf = np.where(people.age[op.who] < 16, "420", tf)
    _, _, op_system = _where(context, people, op.who, op.day)
    return pa.table(
        {
            "appointment_id": _ids(block, 3, n_op),
            "nhs_number": nhs.take(pa.array(op.who)),
            "provider_code": _strings(
                frame.trust_codes, _pick_trust(rng, context.acute, op_system)
            ),
            "appointment_date": _date(op.day),
            "first_attendance": pa.array(first_code.astype(object)),
            "attendance_status": pa.array(status.astype(object)),
            "treatment_function": pa.array(tf, type=pa.string()),
            **_located(context, people, op.who, op.day),
        }
    )


def _arrival_seconds(rng: Rng, n: int) -> IntArray:
    """Time of arrival at A&E: busiest late morning to early evening."""
    hours = np.clip(rng.normal(14.0, 5.0, n), 0.0, 23.99)
    return (hours * 3600).astype(np.int64)


def _contact_tables(
    context: Context, rng: Rng, people: People, ever: BoolArray, nhs: pa.Array, block: int
) -> dict[str, pa.Table]:
    tables = {}
    for prefix, (event, trusts, services, name) in enumerate(
        (
            (md.COMMUNITY, context.community, COMMUNITY_SERVICES, "community_contacts"),
            (
                md.MENTAL_HEALTH,
                context.mental_health,
                MENTAL_HEALTH_SERVICES,
                "mental_health_contacts",
            ),
        ),
        start=4,
    ):
        ev = draw_events(context, rng, people, event, ever, people.entry)
        n = len(ev.who)
        _, _, system = _where(context, people, ev.who, ev.day)
        names = np.array([s for s, _ in services], dtype=object)
        service = names[_choice(rng, tuple(w for _, w in services), n)]
        age = people.age[ev.who]
        if name == "community_contacts":
            service = np.where(age < 5, "health_visiting", service)
            service = np.where((age >= 5) & (age < 16), "school_nursing", service)
            service = np.where(
                (age >= 16) & np.isin(service, ["health_visiting", "school_nursing"]),
                "district_nursing",
                service,
            )
        else:
            service = np.where(age < 18, "children_and_young_people", service)
            service = np.where(
                (age >= 18) & (service == "children_and_young_people"),
                "community_mental_health_team",
                service,
            )
            psychosis = ever[ev.who, COND_INDEX[md.Condition.SMI]]
            service = np.where(
                psychosis & (service == "talking_therapies"),
                "community_mental_health_team",
                service,
            )
        attended = np.array(("attended", "did_not_attend", "cancelled"))[
            _choice(rng, (0.9, 0.07, 0.03), n)
        ]
        tables[name] = pa.table(
            {
                "contact_id": _ids(block, prefix, n),
                "nhs_number": nhs.take(pa.array(ev.who)),
                "provider_code": _strings(
                    context.frame.trust_codes, _pick_trust(rng, trusts, system)
                ),
                "contact_date": _date(ev.day),
                "service": pa.array(service, type=pa.string()),
                "attended": pa.array(attended.astype(object)),
                **_located(context, people, ev.who, ev.day),
            }
        )
    return tables


@dataclass
class Episodes:
    who: IntArray
    first: IntArray
    last: IntArray
    ended: BoolArray
    short: BoolArray  # short-term reablement (else long-term support)


def _social_care_episodes(context: Context, rng: Rng, people: People, ever: BoolArray) -> Episodes:
    """Long-term support episodes (a point prevalence at the start, then new ones at the
    matching incidence) and short-term reablement."""
    cal = context.calibration
    start = context.start
    mean_days = md.SOCIAL_CARE_MEAN_YEARS * DAYS_PER_YEAR
    mid_age: FloatArray = (people.age + context.spec.years / 2).astype(np.float64)
    raw = _social_care_raw(people, ever, mid_age)
    prevalence = np.minimum(
        raw * np.where(mid_age >= 65, cal.social_care[0], cal.social_care[1]), 0.9
    )
    at_start = (rng.random(people.n) < prevalence) & (people.entry <= start)
    began = start - (rng.exponential(mean_days, people.n)).astype(np.int64)
    began = np.maximum(began, people.dob + 18 * 366)
    # new episodes replace those ending and those whose people die (steady state)
    death_rate = _mortality_raw(people, people.conditions_start) * cal.mortality / DAYS_PER_YEAR
    incidence = prevalence / np.maximum(1.0 - prevalence, 0.1) * (1.0 / mean_days + death_rate)
    wait = (rng.exponential(1.0, people.n) / np.maximum(incidence, 1e-12)).astype(np.int64)
    new_start = people.entry + wait
    new = ~at_start & (new_start < people.exit) & (prevalence > 0)
    short = (people.age >= 65) & (rng.random(people.n) < 0.02 * context.spec.years)
    short_day = people.entry + (rng.random(people.n) * (people.exit - people.entry)).astype(
        np.int64
    )
    who = np.concatenate([np.nonzero(at_start)[0], np.nonzero(new)[0], np.nonzero(short)[0]])
    first = np.concatenate([began[at_start], new_start[new], short_day[short]])
    kind = np.concatenate(
        [
            np.zeros(int(at_start.sum() + new.sum()), dtype=np.int64),
            np.ones(int(short.sum()), dtype=np.int64),
        ]
    )
    duration = np.where(
        kind == 0,
        rng.exponential(mean_days, len(who)),
        rng.exponential(42.0, len(who)) + 7,
    ).astype(np.int64)
    # an episode under way at the start lasts a fresh exponential from then (memoryless)
    ongoing = np.arange(len(who)) < int(at_start.sum())
    last = np.where(ongoing, start, first) + duration
    ended = last < people.exit[who] - 1
    last = np.where(ended, last, people.exit[who] - 1)
    ended |= people.died[who]
    return Episodes(who, first, last, ended, kind == 1)


def _social_care_table(
    context: Context, rng: Rng, people: People, ever: BoolArray, nhs: pa.Array, block: int
) -> pa.Table:
    frame, start, stop = context.frame, context.start, context.stop
    episodes = _social_care_episodes(context, rng, people, ever)
    who, first, last, ended = episodes.who, episodes.first, episodes.last, episodes.ended
    lsoa, _, _ = _where(context, people, who, np.maximum(first, people.spell_day[who, 0]))
    lad = frame.lsoa_lad[lsoa]
    first = np.maximum(first, frame.lad_from_day[lad])  # the LAD code is in force from then
    keep = (last >= start) & (last >= first) & (first < stop)
    old = people.age[who] >= 85
    setting = _choice(rng, tuple(w for _, w in md.SOCIAL_CARE_SETTINGS), len(who))
    setting = np.where(old & (setting == 0) & (rng.random(len(who)) < 0.2), 1, setting)
    service = np.where(episodes.short, 3, setting)
    names = ("long_term_community", "long_term_residential", "long_term_nursing", "short_term")
    base_cost = np.array([320.0, 850.0, 1050.0, 420.0])[service]
    cost = np.round(base_cost * rng.lognormal(0.0, 0.25, len(who)), 2)
    sel = np.nonzero(keep)[0]
    return pa.table(
        {
            "service_id": _ids(block, 6, len(sel)),
            "nhs_number": nhs.take(pa.array(who[sel])),
            "la_code": _strings(frame.lad_codes, lad[sel]),
            "service_type": _strings(names, service[sel]),
            "start_date": _date(first[sel]),
            "end_date": _nullable_date(last[sel], ended[sel]),
            "weekly_cost": pa.array(cost[sel]),
        }
    )


def _waiting_table(
    context: Context, rng: Rng, people: People, ever: BoolArray, nhs: pa.Array, block: int
) -> pa.Table:
    """RTT pathways open at any time in the period (clock starts from two years before it)."""
    frame = context.frame
    low = np.where(people.entry > context.start, people.entry, context.start - LOOKBACK_DAYS)
    low = np.maximum(low, people.dob)
    ev = draw_events(context, rng, people, md.WAITING, ever, low)
    n = len(ev.who)
    wait = (rng.gamma(md.RTT_WAIT_SHAPE, md.RTT_WAIT_SCALE_WEEKS * 7.0, n)).astype(np.int64)
    stop_day = ev.day + wait
    exit_day = people.exit[ev.who] - 1
    stopped = (stop_day < context.stop) | people.died[ev.who]
    stop_day = np.minimum(stop_day, exit_day)
    keep = ~stopped | (stop_day >= context.start)
    sel = np.nonzero(keep)[0]
    who, day = ev.who[sel], ev.day[sel]
    _, _, system = _where(context, people, who, day)
    specialty = np.array([s for s, _, _ in md.SPECIALTIES], dtype=object)
    tf = specialty[_choice(rng, tuple(w for _, _, w in md.SPECIALTIES), len(sel))]
    tf = np.where(people.age[who] < 16, "420", tf)
    return pa.table(
        {
            "pathway_id": _ids(block, 7, len(sel)),
            "nhs_number": nhs.take(pa.array(who)),
            "provider_code": _strings(frame.trust_codes, _pick_trust(rng, context.acute, system)),
            "treatment_function": pa.array(tf, type=pa.string()),
            "clock_start": _date(day),
            "clock_stop": _nullable_date(np.maximum(stop_day[sel], day), stopped[sel]),
        }
    )


# --- orchestration ----------------------------------------------------------------------------
FEEDS = (
    "persons",
    "registrations",
    "conditions",
    "hospital_spells",
    "ae_attendances",
    "outpatient_appointments",
    "community_contacts",
    "mental_health_contacts",
    "social_care_services",
    "waiting_list",
    WORKFORCE,  # not per person: the trusts' staff, written once (icsys.synth.population.workforce)
)

_WORKER: dict[str, object] = {}


@dataclass(frozen=True)
class BlockResult:
    block: int
    people: int
    rows: dict[str, int]
    seconds: float
    peak_rss_mib: float = 0.0
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class GenerationReport:
    folder: Path
    spec: PopulationSpec
    basis: str
    people: int  # including births
    rows: dict[str, int]
    files: dict[str, list[Path]]
    seconds: float
    calibration_seconds: float
    workers: int = 1
    peak_worker_rss_mib: float = 0.0  # the largest resident set of a process generating blocks
    cpu_seconds: float = 0.0  # CPU time of the blocks, summed over processes (not calibration)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _init_worker(
    frame: Frame, calibration: Calibration, spec: PopulationSpec, out: str, fmt: str
) -> None:
    _WORKER["context"] = Context(frame, calibration, spec)
    _WORKER["out"] = Path(out)
    _WORKER["format"] = fmt


def _run_block(block: int) -> BlockResult:
    from icsys.synth.population.write import write_block  # noqa: PLC0415 - worker import

    began, cpu = time.perf_counter(), time.process_time()
    context = _WORKER["context"]
    assert isinstance(context, Context)  # noqa: S101 - set by the initializer
    result = generate_block(context, block)
    rows = write_block(result.tables, Path(str(_WORKER["out"])), block, str(_WORKER["format"]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return BlockResult(
        block, result.people, rows, time.perf_counter() - began, peak, time.process_time() - cpu
    )


def generate(
    frame: Frame,
    spec: PopulationSpec,
    out: Path,
    *,
    fmt: str = "parquet",
    progress: Callable[[str], None] = lambda _m: None,
) -> GenerationReport:
    """Generate every feed into ``out/<feed>/part-NNNNN.<fmt>`` (replacing what was there)."""
    from icsys.synth.population.write import prepare_folder, write_block  # noqa: PLC0415 - as in the workers

    began = time.perf_counter()
    if spec.systems:
        frame = frame.within(spec.systems)
    progress(f"calibrating the model to the {frame.basis} structure")
    calibration = calibrate(frame, spec)
    calibrated = time.perf_counter() - began
    prepare_folder(out, FEEDS)
    workers = max(1, min(spec.workers, spec.blocks, os.cpu_count() or 1))
    results: list[BlockResult] = []
    args = (frame, calibration, spec, str(out), fmt)
    if workers == 1:
        _init_worker(*args)
        for block in range(spec.blocks):
            results.append(_run_block(block))
            progress(f"generated block {block + 1} of {spec.blocks}")
    else:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("forkserver"),
            initializer=_init_worker,
            initargs=args,
        ) as pool:
            for result in pool.map(_run_block, range(spec.blocks)):
                results.append(result)
                progress(f"generated block {result.block + 1} of {spec.blocks}")
    rows = {feed: sum(r.rows.get(feed, 0) for r in results) for feed in FEEDS}
    staff = workforce_table(frame, spec.start, spec.end, spec.seed)
    rows |= write_block({WORKFORCE: staff}, out, 0, fmt)
    files = {feed: sorted((out / feed).glob(f"part-*.{fmt}")) for feed in FEEDS}
    return GenerationReport(
        folder=out,
        spec=spec,
        basis=frame.basis,
        people=sum(r.people for r in results),
        rows=rows,
        files=files,
        seconds=time.perf_counter() - began,
        calibration_seconds=calibrated,
        workers=workers,
        peak_worker_rss_mib=max((r.peak_rss_mib for r in results), default=0.0),
        cpu_seconds=sum(r.cpu_seconds for r in results),
    )
