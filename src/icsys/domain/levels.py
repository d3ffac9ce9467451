"""Area levels, organisation types and sectors."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """A level of the two geographies icsys knows.

    Registered (NHS commissioning): practice → PCN (neighbourhood) → sub-ICB location → system
    (ICB) → NHS region → England. Resident (local government): LSOA → LAD → ONS region, and
    LSOA → sub-ICB location. A place is a configured part of a system (default: its LADs).
    """

    ENGLAND = "england"
    NHS_REGION = "region"
    SYSTEM = "system"
    SUB_ICB = "sub_icb"
    PLACE = "place"
    PCN = "pcn"
    PRACTICE = "practice"
    LAD = "lad"
    ONS_REGION = "ons_region"
    LSOA11 = "lsoa11"
    LSOA21 = "lsoa21"
    TRUST = "trust"

    @classmethod
    def parse(cls, text: str) -> Level:
        """Read a level as users write it (``lsoa`` means the 2021 LSOAs, ``icb`` a system)."""
        key = text.strip().lower().replace("-", "_")
        key = _ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(sorted({m.value for m in cls} | set(_ALIASES)))
            raise ValueError(f"unknown level {text!r}; expected one of {names}") from None


_ALIASES = {
    "lsoa": "lsoa21",
    "icb": "system",
    "nhser": "region",
    "nhs_region": "region",
    "sicbl": "sub_icb",
    "loc": "sub_icb",
    "neighbourhood": "pcn",
    "ltla": "lad",
}


class Relation(StrEnum):
    """Kinds of effective-dated edge between two codes."""

    EXISTS = "exists"  # the code is in force (parent is empty)
    PARENT = "parent"  # child nests in parent within one geography
    LSOA_MAP = "lsoa_map"  # LSOA 2011 → LSOA 2021 (share = fraction of the 2011 LSOA)
    CATCHMENT = "catchment"  # trust → system, share of the trust's patients from it


class OrgType(StrEnum):
    ICB = "icb"
    NHS_TRUST = "nhs_trust"
    GP_PRACTICE = "gp_practice"
    PCN = "pcn"
    LOCAL_AUTHORITY = "local_authority"
    VCSE = "vcse"
    SOCIAL_CARE_PROVIDER = "social_care_provider"
    INDEPENDENT_SECTOR = "independent_sector"
    HEALTHWATCH = "healthwatch"
    COMMISSIONER = "commissioner"


class TrustType(StrEnum):
    ACUTE = "acute"
    MENTAL_HEALTH = "mental_health"
    COMMUNITY = "community"
    AMBULANCE = "ambulance"
    UNKNOWN = "unknown"


class Sector(StrEnum):
    """The partner sectors of an ICS, used for membership and partner-voice measures."""

    NHS_COMMISSIONER = "nhs_commissioner"
    NHS_PROVIDER = "nhs_provider"
    PRIMARY_CARE = "primary_care"
    MENTAL_HEALTH = "mental_health"
    LOCAL_GOVERNMENT = "local_government"
    SOCIAL_CARE = "social_care"
    VCSE = "vcse"
    INDEPENDENT = "independent"
    HEALTHWATCH = "healthwatch"


SECTOR_OF_ORG: dict[OrgType, Sector] = {
    OrgType.ICB: Sector.NHS_COMMISSIONER,
    OrgType.COMMISSIONER: Sector.NHS_COMMISSIONER,
    OrgType.NHS_TRUST: Sector.NHS_PROVIDER,
    OrgType.GP_PRACTICE: Sector.PRIMARY_CARE,
    OrgType.PCN: Sector.PRIMARY_CARE,
    OrgType.LOCAL_AUTHORITY: Sector.LOCAL_GOVERNMENT,
    OrgType.VCSE: Sector.VCSE,
    OrgType.SOCIAL_CARE_PROVIDER: Sector.SOCIAL_CARE,
    OrgType.INDEPENDENT_SECTOR: Sector.INDEPENDENT,
    OrgType.HEALTHWATCH: Sector.HEALTHWATCH,
}


def sector_of(org_type: OrgType, trust_type: TrustType | None = None) -> Sector:
    """The sector an organisation belongs to (a mental-health trust counts as mental health)."""
    if org_type is OrgType.NHS_TRUST and trust_type is TrustType.MENTAL_HEALTH:
        return Sector.MENTAL_HEALTH
    return SECTOR_OF_ORG[org_type]
