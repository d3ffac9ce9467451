"""Recognising the official column names of ONS and NHS lookups, whatever their vintage.

``LSOA21CD``, ``lsoa21_code``, ``SICBL24CDH``, ``sicbl24_code_nhs``, ``LOC22NM``, ``icb22_code_h``,
``NHSER22CDH``, ``nhs_region21_ons_code``: all name an entity, a two-digit vintage and a kind of
value (GSS code, ODS code or name). :func:`parse_column` reads them case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from icsys.domain.levels import Level


class Kind(StrEnum):
    CODE = "code"  # GSS code (E54…)
    ODS = "ods"  # ODS / "H" code (Qxx, 01F, Y56)
    NAME = "name"


_ENTITY_LEVEL: dict[str, str] = {
    "lsoa": "lsoa",
    "sicbl": Level.SUB_ICB,
    "loc": Level.SUB_ICB,
    "subicb": Level.SUB_ICB,
    "icb": Level.SYSTEM,
    "nhser": Level.NHS_REGION,
    "nhsregion": Level.NHS_REGION,
    "lad": Level.LAD,
    "ltla": Level.LAD,
    "rgn": Level.ONS_REGION,
    "region": Level.ONS_REGION,
    "ward": "ward",
    "wd": "ward",
}

_KIND_SUFFIX: dict[str, Kind] = {
    "cd": Kind.CODE,
    "code": Kind.CODE,
    "onscode": Kind.CODE,
    "cdh": Kind.ODS,
    "codeh": Kind.ODS,
    "codenhs": Kind.ODS,
    "nhscode": Kind.ODS,
    "nm": Kind.NAME,
    "name": Kind.NAME,
}

_PATTERN = re.compile(r"^(?P<entity>[a-z]+?)(?P<vintage>\d{2})(?P<kind>[a-z]*)$")


@dataclass(frozen=True, slots=True)
class ColumnKey:
    """What a column holds: ``level`` (an icsys level, or lsoa/ward), vintage year, kind."""

    level: str
    vintage: int  # two-digit year: 11, 19, 21, 22, 24 …
    kind: Kind

    @property
    def year(self) -> int:
        return 2000 + self.vintage

    @property
    def geography(self) -> str:
        """The concrete level: LSOAs are ``lsoa11`` or ``lsoa21`` by vintage."""
        if self.level == "lsoa":
            return Level.LSOA11 if self.vintage < 21 else Level.LSOA21
        return self.level


def normalise(header: str) -> str:
    """Lower-case, strip a BOM and anything that is not a letter or digit."""
    return re.sub(r"[^a-z0-9]", "", header.replace("\ufeff", "").strip().lower())


def parse_column(header: str) -> ColumnKey | None:
    """Read an ONS/NHS geography column name, or ``None`` if it is not one."""
    match = _PATTERN.match(normalise(header))
    if not match:
        return None
    level = _ENTITY_LEVEL.get(match["entity"])
    kind = _KIND_SUFFIX.get(match["kind"] or "cd")
    if level is None or kind is None:
        return None
    return ColumnKey(level=level, vintage=int(match["vintage"]), kind=kind)


def vintage_date(level: str, vintage: int) -> date:
    """The date from which a vintage of a geography is in force.

    NHS commissioning geographies of 2022 start on 1 July 2022 (ICBs were established then);
    other NHS and ONS administrative vintages start on 1 April of their year; LSOAs start on
    census day of their census.
    """
    year = 2000 + vintage
    if level == "lsoa":
        return date(2011, 3, 27) if vintage < 21 else date(2021, 3, 21)
    if level in {Level.SUB_ICB, Level.SYSTEM, Level.NHS_REGION} and year == 2022:
        return date(2022, 7, 1)
    return date(year, 4, 1)
