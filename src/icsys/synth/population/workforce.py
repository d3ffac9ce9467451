"""The ``workforce`` feed of the synthetic world: NHS trusts' staff by month and staff group.

Each trust of the structure (acute, mental health, community and ambulance trusts) gets staff in
proportion to the population it serves, split by staff group in the mix of its kind, and is
then followed month by month as a stock and flows: leavers at an annual turnover rate (higher in
August and September, when rotations and training years end), joiners replacing them plus
growth, and vacancies as a share of the establishment (staff in post plus vacancies). Levels
follow NHS England's published workforce statistics for trusts, 2022-23 to 2024-25 (rounded):
about 24 FTE per 1,000 people, vacancy rates falling from about 9.5 % to 7 %, turnover (leavers
from the trust) about 11.5 % a year, staff in post growing about 3.5 % a year. Each trust has
its own lasting departures from those levels, and each month its own noise.

Deterministic: a trust's rows come from a random stream of its own (the seed and its code), so
they do not depend on the other trusts in the structure or on the number of persons.
"""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from icsys.synth.population.structure import Frame

FloatArray = npt.NDArray[np.float64]
FEED = "workforce"
STREAM = 7_000_000  # random streams (seed, STREAM, crc32(code)): apart from the persons' blocks
FTE_PER_1000 = {"acute": 15.0, "mental_health": 3.0, "community": 3.0, "ambulance": 0.9}
STAFF_MIX = {  # share of a trust's FTE by staff group, by kind of trust
    "acute": {
        "medical": 0.13,
        "nursing": 0.28,
        "midwifery": 0.025,
        "ahp": 0.06,
        "scientific": 0.07,
        "support": 0.26,
        "admin": 0.175,
    },
    "mental_health": {
        "medical": 0.06,
        "nursing": 0.30,
        "ahp": 0.07,
        "scientific": 0.10,
        "support": 0.27,
        "admin": 0.20,
    },
    "community": {
        "medical": 0.03,
        "nursing": 0.33,
        "ahp": 0.17,
        "scientific": 0.05,
        "support": 0.22,
        "admin": 0.20,
    },
    "ambulance": {"ambulance": 0.55, "nursing": 0.05, "support": 0.20, "admin": 0.20},
}
VACANCY = {  # vacancy rate (vacancies / establishment) in April 2022 and March 2025
    "medical": (0.065, 0.055),
    "nursing": (0.105, 0.075),
    "midwifery": (0.09, 0.07),
    "ahp": (0.09, 0.07),
    "scientific": (0.08, 0.065),
    "ambulance": (0.08, 0.06),
    "support": (0.10, 0.075),
    "admin": (0.085, 0.065),
}
VACANCY_DATES = (date(2022, 4, 1), date(2025, 3, 1))  # between them linear, outside constant
TURNOVER = {  # leavers (FTE) per FTE in post per year
    "medical": 0.09,
    "nursing": 0.11,
    "midwifery": 0.11,
    "ahp": 0.12,
    "scientific": 0.11,
    "ambulance": 0.09,
    "support": 0.14,
    "admin": 0.12,
}
LEAVER_SEASON = (0.95, 0.9, 1.05, 0.95, 0.9, 0.9, 1.0, 1.3, 1.2, 0.95, 0.9, 0.9)  # Jan .. Dec
GROWTH = 0.035  # staff in post, per year
FTE_PER_HEAD = 0.88  # leavers and joiners are whole people of this FTE on average
TRUST_SPREAD = {"size": 0.15, "vacancy": 0.25, "turnover": 0.15, "mix": 300.0}
MONTH_SPREAD = 0.08  # month-to-month noise on the vacancy rate (log scale)


def months(start: date, end: date) -> list[date]:
    """The first days of the months from ``start``'s to ``end``'s."""
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _vacancy_rates(groups: list[str], days: list[date]) -> FloatArray:
    """(months, groups) national vacancy rates on each month's first day."""
    x = [d.toordinal() for d in days]
    ends = [d.toordinal() for d in VACANCY_DATES]
    return np.stack([np.interp(x, ends, VACANCY[g]) for g in groups], axis=1)


def _spread(rng: np.random.Generator, sigma: float, n: int | None = None) -> FloatArray:
    """Multipliers with mean 1 (log-normal)."""
    return np.asarray(rng.lognormal(-(sigma**2) / 2, sigma, n), dtype=np.float64)


def _trust(
    code: str, kind: str, served: float, days: list[date], seed: int
) -> dict[str, list[object]]:
    """One trust's rows (column → values), from its own random stream."""
    rng = np.random.default_rng([seed, STREAM, zlib.crc32(code.encode())])
    mix = STAFF_MIX[kind]
    groups = list(mix)
    share = rng.dirichlet(np.array([mix[g] for g in groups]) * TRUST_SPREAD["mix"])
    size = served / 1000 * FTE_PER_1000[kind] * _spread(rng, TRUST_SPREAD["size"])
    fte = np.maximum(size * share, 1.0)
    vacancy = _vacancy_rates(groups, days) * _spread(rng, TRUST_SPREAD["vacancy"], len(groups))
    turnover = np.array([TURNOVER[g] for g in groups])
    turnover *= _spread(rng, TRUST_SPREAD["turnover"], len(groups))
    rows: dict[str, list[object]] = {k: [] for k in ("code", "month", "group", "fte", "vac")}
    rows |= {"joiners": [], "leavers": []}
    for i, day in enumerate(days):
        expected = fte * turnover / 12 * LEAVER_SEASON[day.month - 1]
        leavers = rng.poisson(expected / FTE_PER_HEAD) * FTE_PER_HEAD
        joiners = rng.poisson((expected + fte * GROWTH / 12) / FTE_PER_HEAD) * FTE_PER_HEAD
        rate = np.minimum(vacancy[i] * _spread(rng, MONTH_SPREAD, len(groups)), 0.5)
        rows["code"] += [code] * len(groups)
        rows["month"] += [day] * len(groups)
        rows["group"] += groups
        rows["fte"] += np.round(fte, 1).tolist()
        rows["vac"] += np.round(fte * rate / (1 - rate), 1).tolist()
        rows["joiners"] += np.round(joiners, 2).tolist()
        rows["leavers"] += np.round(leavers, 2).tolist()
        fte = np.maximum(fte + joiners - leavers, 1.0)
    return rows


def workforce_table(frame: Frame, start: date, end: date, seed: int) -> pa.Table:
    """The feed's rows for every trust of ``frame`` that serves anyone, ``start`` to ``end``."""
    days = months(start, end)
    columns: dict[str, list[object]] = {}
    for code, kind, served in zip(
        frame.trust_codes, frame.trust_kind, frame.trust_catchment.tolist(), strict=True
    ):
        if served <= 0 or kind not in STAFF_MIX:
            continue
        for name, values in _trust(code, kind, served, days, seed).items():
            columns.setdefault(name, []).extend(values)
    return pa.table(
        {
            "organisation_code": pa.array(columns.get("code", []), pa.string()),
            "month": pa.array(columns.get("month", []), pa.date32()),
            "staff_group": pa.array(columns.get("group", []), pa.string()),
            "fte_in_post": pa.array(columns.get("fte", []), pa.float64()),
            "vacancies": pa.array(columns.get("vac", []), pa.float64()),
            "joiners": pa.array(columns.get("joiners", []), pa.float64()),
            "leavers": pa.array(columns.get("leavers", []), pa.float64()),
        }
    )
