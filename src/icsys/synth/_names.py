"""Names and codes for the synthetic world: plausible, clearly synthetic, never real.

Every code is shaped like the real one but lives in a range the publishers do not use:

* ONS GSS codes have a ``9`` straight after the three-character entity prefix
  (``E40900001`` NHS region, ``E54900001`` ICB, ``E38900001`` sub-ICB location, ``E06900001`` /
  ``E08900001`` LAD, ``E12900001`` ONS region, ``E01900001`` LSOA). Real codes run ``…000001`` up.
* ODS codes: NHS regions ``Y90``–``Y99`` (real ones are ``Y56``–``Y63``); ICBs ``QZ1``… (no real ICB
  code starts ``QZ``); sub-ICB locations ``Z1A``… (none real starts ``Z``); practices ``Z90001``…
  (real practice codes never start ``Z``); trusts ``ZA1``… (real trusts are ``Rxx``/``Txx`` or five
  characters); PCNs ``U99500``-``U99999`` (PCN codes are ``U`` and five digits, assigned all over
  that range: of the 1,383 real codes in the 2023 ePCN and 2025 OpenPrescribing files only two,
  ``U99739`` and ``U99971``, fall in this block, and those are skipped).
* Postcodes use the areas ``ZX``, ``ZW``, … which do not exist (the only real ``Z`` area is ``ZE``).
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

_STEMS = (
    "Alder", "Ashen", "Bramble", "Cald", "Crow", "Dunmer", "Elver", "Fern", "Gos", "Hartle",
    "Hazel", "Holm", "Kest", "Lark", "Marl", "Nether", "Orl", "Pell", "Quen", "Rook", "Sedge",
    "Stave", "Thorn", "Umber", "Wether", "Wil", "Yarn", "Zel", "Bly", "Cor", "Dray", "Brack",
)  # fmt: skip
_ENDINGS = (
    "moor", "wick", "ford", "bury", "ton", "ley", "field", "borough", "worth", "stead", "combe",
    "dale", "ham", "mere", "well", "by", "gate", "hithe",
)  # fmt: skip
# Stem + ending pairs that happen to be real English places (checked against the ONS LAD and
# ward names and the practice address towns); they are never used.
_REAL_PLACE_NAMES = frozenset(
    {
        "Alderton", "Brackley", "Corby", "Crowborough", "Drayton", "Gosford", "Hartlebury",
        "Larkfield", "Marlborough", "Netherfield", "Netherley", "Netherton", "Sedgefield",
        "Thornborough", "Thornbury", "Thornley", "Thornton", "Wetherby", "Wilton",
    }
)  # fmt: skip

_REGION_NAMES = (
    "North of Synthia", "Synthia Midlands", "East of Synthia", "South West Synthia",
    "South East Synthia", "Synthia Capital", "North West Synthia", "Synthia Marches",
    "Synthia Coast", "Synthia Fens",
)  # fmt: skip
MAX_REGIONS = len(_REGION_NAMES)

_PRACTICE_THEMES = (
    "ELM TREE", "BROOKSIDE", "HIGHFIELD", "PARKVIEW", "CHURCH LANE", "STATION ROAD", "ORCHARD",
    "RIVERSIDE", "MEADOWBANK", "WILLOW", "BEECHWOOD", "THE GREEN", "MARKET SQUARE", "HILLTOP",
    "CASTLE VIEW", "ABBEY", "MILLBROOK", "VICTORIA", "OAKLANDS", "ROSEDALE", "SPRINGFIELD",
    "LINDEN", "HOLLYBANK", "FAIRVIEW",
)  # fmt: skip
_PRACTICE_KINDS = ("SURGERY", "MEDICAL CENTRE", "HEALTH CENTRE", "GROUP PRACTICE", "PRACTICE")
_PCN_QUARTERS = ("NORTH", "SOUTH", "EAST", "WEST", "CENTRAL", "RURAL", "VALLEY", "COASTAL")
_STREETS = ("HIGH STREET", "STATION ROAD", "CHURCH LANE", "MILL ROAD", "PARK AVENUE", "LONDON ROAD")
_POSTCODE_AREAS = "XWVUTSRQ"  # second letter after "Z"; Z[A-Z] areas other than ZE are unused
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters real inward codes use
_ODS_CHARS = string.digits[1:] + string.ascii_uppercase  # 1-9 then A-Z


_PLACE_NAMES = tuple(s + e for s in _STEMS for e in _ENDINGS if s + e not in _REAL_PLACE_NAMES)
MAX_PLACE_NAMES = len(_PLACE_NAMES)


def place_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct synthetic place names such as ``Hazelmoor``."""
    return rng.sample(_PLACE_NAMES, count)


def county_name(place_name: str) -> str:
    """A county-style name built on a place name: ``Hazelmoor`` -> ``Hazelmoorshire``."""
    return place_name + "shire"


def region_name(index: int) -> str:
    return _REGION_NAMES[index]


def gss(prefix: str, serial: int) -> str:
    """A synthetic GSS code: ``gss("E54", 1) == "E54900001"``."""
    return f"{prefix}9{serial:05d}"


def region_ods(index: int) -> str:
    return f"Y9{index}"


def icb_ods(index: int) -> str:
    return "QZ" + _ODS_CHARS[index]


def sub_icb_ods(index: int) -> str:
    """``Z1A``, ``Z1B``, … ``Z1Z``, ``Z2A``, …"""
    return f"Z{_ODS_CHARS[index // 26]}{string.ascii_uppercase[index % 26]}"


def practice_ods(serial: int) -> str:
    if not 1 <= serial <= MAX_PRACTICES:
        raise ValueError(f"at most {MAX_PRACTICES} synthetic practice codes are available")
    return f"Z9{serial:04d}"


_REAL_PCNS_IN_BLOCK = frozenset({"U99739", "U99971"})
_PCN_CODES = tuple(
    code for code in (f"U{n}" for n in range(99500, 100_000)) if code not in _REAL_PCNS_IN_BLOCK
)
MAX_PCNS = len(_PCN_CODES)
MAX_PRACTICES = 9999


def pcn_ods(serial: int) -> str:
    """The ``serial``-th (from 1) synthetic PCN code: ``U99500``, ``U99501``, …"""
    if not 1 <= serial <= MAX_PCNS:
        raise ValueError(f"at most {MAX_PCNS} synthetic PCN codes are available")
    return _PCN_CODES[serial - 1]


def trust_ods(index: int) -> str:
    return f"Z{string.ascii_uppercase[index // 10]}{index % 10}"


def practice_name(rng: random.Random) -> str:
    return f"{rng.choice(_PRACTICE_THEMES)} {rng.choice(_PRACTICE_KINDS)}"


def pcn_name(place_name: str, index: int, count: int) -> str:
    if count == 1:
        return f"{place_name.upper()} PCN"
    if count <= len(_PCN_QUARTERS):
        return f"{place_name.upper()} {_PCN_QUARTERS[index]} PCN"
    return f"{place_name.upper()} {index + 1} PCN"


def street(rng: random.Random) -> str:
    return f"{rng.randint(1, 240)} {rng.choice(_STREETS)}"


def postcode(rng: random.Random, place_index: int) -> str:
    """A postcode in a non-existent area, one outward district per place: ``ZX7 3HN``."""
    area = "Z" + _POSTCODE_AREAS[place_index // 99 % len(_POSTCODE_AREAS)]
    letters = "".join(rng.choice(_INWARD_LETTERS) for _ in range(2))
    return f"{area}{place_index % 99 + 1} {rng.randint(0, 9)}{letters}"
