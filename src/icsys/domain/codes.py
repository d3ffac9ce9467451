"""Code patterns of the published geographies and of ODS organisations."""

from __future__ import annotations

import re

from icsys.domain.levels import Level

# ONS GSS codes: a letter for the nation, two digits for the entity type, six digits.
GSS_PREFIXES: dict[Level, tuple[str, ...]] = {
    Level.ENGLAND: ("E92",),
    Level.NHS_REGION: ("E40",),
    Level.SYSTEM: ("E54",),
    Level.SUB_ICB: ("E38",),
    Level.LAD: ("E06", "E07", "E08", "E09"),
    Level.ONS_REGION: ("E12",),
    Level.LSOA11: ("E01",),
    Level.LSOA21: ("E01",),
}
WELSH_PREFIXES = ("W",)

_GSS = re.compile(r"^[EWSN]\d{8}$")
_ODS = {
    Level.PRACTICE: re.compile(r"^[A-Z]\d{5}$|^[A-Z0-9]{6}$"),
    Level.PCN: re.compile(r"^U\d{5}$"),
    Level.TRUST: re.compile(r"^[A-Z0-9]{3,5}$"),
    Level.SYSTEM: re.compile(r"^Q[A-Z0-9]{2}$|^[A-Z0-9]{5}$"),
    Level.SUB_ICB: re.compile(r"^[0-9A-Z]{3}$|^[0-9A-Z]{5}$"),
    Level.NHS_REGION: re.compile(r"^Y\d{2}$"),
}

ENGLAND_CODE = "E92000001"


def is_gss(code: str, level: Level) -> bool:
    """True when ``code`` is a well-formed GSS code of ``level`` (England only)."""
    return bool(_GSS.match(code)) and code.startswith(GSS_PREFIXES[level])


def is_welsh(code: str) -> bool:
    return code.startswith(WELSH_PREFIXES) and bool(_GSS.match(code))


def is_ods(code: str, level: Level) -> bool:
    """True when ``code`` looks like an ODS code for an organisation at ``level``."""
    pattern = _ODS.get(level)
    return bool(pattern and pattern.match(code))


def expected_code(level: Level) -> str:
    """A phrase for error messages: what a code at this level looks like."""
    if level in GSS_PREFIXES:
        return "a GSS code starting " + " or ".join(GSS_PREFIXES[level]) + " and 9 characters"
    examples = {
        Level.PRACTICE: "an ODS practice code like A81001",
        Level.PCN: "an ODS PCN code like U12345",
        Level.TRUST: "an ODS trust code like RXX",
    }
    return examples.get(level, "a code")
