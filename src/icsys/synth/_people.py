"""Deprivation and age structure for synthetic LSOAs.

Deprivation starts from one latent value per LSOA (region + system + place + LSOA terms, lower in
rural LSOAs), so it is clustered by place and some systems are more deprived than others. Each IMD
domain is that latent plus noise, with the rank correlation to the overall index that the real
IMD 2025 shows (income 0.94 … housing and services 0.24). Ranks are national within the world
(1 = most deprived), deciles are equal-count bands of the ranks, and scores are monotone
transforms of the ranks fitted to the real medians and 90th percentiles.

Ages start from England's single-year-of-age profile and are tilted older for rural and less
deprived LSOAs, younger for deprived urban ones.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

from icsys.synth._model import AGES, Deprivation

if TYPE_CHECKING:
    import random

# Persons per 100,000 by single year of age 0..89 and 90+, England, ONS mid-2020 LSOA estimates.
_ENGLAND_AGE_PROFILE = (
    1064, 1106, 1150, 1187, 1222, 1219, 1229, 1255, 1292, 1264, 1243, 1225, 1236, 1197, 1174,
    1128, 1111, 1084, 1073, 1115, 1155, 1202, 1228, 1274, 1283, 1282, 1319, 1321, 1359, 1388,
    1365, 1352, 1367, 1333, 1345, 1342, 1310, 1319, 1315, 1324, 1326, 1273, 1189, 1169, 1190,
    1212, 1231, 1281, 1334, 1376, 1342, 1372, 1369, 1387, 1384, 1387, 1371, 1337, 1303, 1254,
    1199, 1168, 1140, 1094, 1052, 1010, 1008, 990, 957, 959, 973, 992, 1040, 1119, 853, 817, 802,
    732, 641, 563, 573, 554, 521, 479, 436, 394, 345, 307, 277, 242, 921,
)  # fmt: skip

# Per domain (IMD_DOMAINS order): correlation with the overall latent, then the score transform:
# ("log", median, spread) gives median * exp(spread * z); ("normal", sd, 0) gives sd * z;
# z is the standard normal quantile of the domain rank (high = deprived); then (floor, ceiling).
_DOMAIN_MODEL: tuple[tuple[float, str, float, float, float, float], ...] = (
    (1.0, "log", 17.45, 0.74, 0.1, 95.0),
    (0.95, "log", 0.184, 0.72, 0.002, 0.99),
    (0.94, "log", 0.11, 0.66, 0.002, 0.98),
    (0.87, "log", 16.5, 0.85, 0.004, 99.6),
    (0.86, "normal", 0.9, 0.0, -3.1, 3.3),
    (0.82, "normal", 0.85, 0.0, -3.3, 3.5),
    (0.25, "log", 20.1, 0.46, 1.5, 63.5),
    (0.34, "log", 17.8, 0.72, 0.05, 85.7),
)
_NORMAL = NormalDist()


def deprivation(rng: random.Random, latents: list[float]) -> list[Deprivation]:
    """IMD values for LSOAs whose overall latent deprivation (higher = worse) is ``latents``."""
    count = len(latents)
    columns: list[tuple[list[int], list[int], list[float]]] = []
    for rho, kind, centre, spread, floor, ceiling in _DOMAIN_MODEL:
        noise = math.sqrt(1.0 - rho * rho)
        domain = [rho * x + noise * rng.gauss(0.0, 1.0) for x in latents]
        order = sorted(range(count), key=lambda i: (-domain[i], i))
        ranks = [0] * count
        for rank, i in enumerate(order, start=1):
            ranks[i] = rank
        deciles = [(r - 1) * 10 // count + 1 for r in ranks]
        scores = []
        for r in ranks:
            z = _NORMAL.inv_cdf(1.0 - (r - 0.5) / count)
            value = centre * math.exp(spread * z) if kind == "log" else centre * z
            scores.append(round(min(max(value, floor), ceiling), 3))
        columns.append((deciles, ranks, scores))
    return [
        Deprivation(
            deciles=tuple(c[0][i] for c in columns),
            ranks=tuple(c[1][i] for c in columns),
            scores=tuple(c[2][i] for c in columns),
        )
        for i in range(count)
    ]


def age_counts(rng: random.Random, *, latent: float, rural: bool) -> tuple[int, ...]:
    """Persons by single year of age for one LSOA (about 1,700 people, like real LSOAs)."""
    total = min(max(round(1690 * math.exp(rng.gauss(0.0, 0.2))), 1000), 3500)
    tilt = min(max(0.3 * rural - 0.15 * latent + rng.gauss(0.0, 0.15), -0.5), 0.5)  # > 0: older
    weights = [
        base * math.exp(tilt * min(max((age - 40) / 25, -1.0), 2.0) + rng.gauss(0.0, 0.1))
        for age, base in enumerate(_ENGLAND_AGE_PROFILE)
    ]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(AGES), key=lambda a: (counts[a] - exact[a], a))
    for age in by_remainder[: total - sum(counts)]:
        counts[age] += 1
    return tuple(counts)
