"""A deterministic synthetic world of integrated care systems, written as real reference files.

``build_world(WorldSpec(seed=...))`` makes a frozen description of regions, systems (ICBs), sub-ICB
locations, places (LADs), LSOAs with IMD 2025-style deprivation, rurality and single-year-of-age
populations, GP practices with list sizes, PCNs and NHS trusts. ``write_world_files(world, dir)``
writes it in the exact formats of the published ONS, MHCLG and NHS files, so the demo runs the real
reference loader end to end. Same seed, byte-identical files; codes never collide with real ones
(see ``icsys.synth._names``).
"""

from __future__ import annotations

from icsys.synth._build import build_world
from icsys.synth._files import FILE_FORMATS, HEADERS, RUC21_LABELS, write_world_files
from icsys.synth._model import (
    AGES,
    IMD_DOMAINS,
    Deprivation,
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

__all__ = [
    "AGES",
    "FILE_FORMATS",
    "HEADERS",
    "IMD_DOMAINS",
    "RUC21_LABELS",
    "Deprivation",
    "Lsoa",
    "Pcn",
    "Place",
    "Practice",
    "Region",
    "SubIcb",
    "System",
    "Trust",
    "TrustKind",
    "World",
    "WorldSpec",
    "build_world",
    "write_world_files",
]
