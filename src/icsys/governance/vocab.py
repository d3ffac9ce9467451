"""The closed vocabularies of governance records (stored as their string values)."""

from __future__ import annotations

from enum import StrEnum

from icsys.domain.levels import Sector

__all__ = [
    "ICB_BODY_KINDS",
    "VOICE_SECTORS",
    "ActionStatus",
    "AttendanceStatus",
    "Background",
    "BodyKind",
    "Classification",
    "ContributionKind",
    "Direction",
    "MeetingStatus",
    "MemberRole",
    "Outcome",
    "Part",
    "PartyKind",
    "PostKind",
    "Purpose",
    "RecipientType",
    "Sector",
    "Vote",
]


class BodyKind(StrEnum):
    ICB_BOARD = "icb_board"
    ICP = "integrated_care_partnership"
    ICB_COMMITTEE = "icb_committee"
    PLACE_BOARD = "place_partnership_board"
    JOINT_COMMITTEE = "joint_committee"
    PROVIDER_COLLABORATIVE_BOARD = "provider_collaborative_board"
    HEALTH_AND_WELLBEING_BOARD = "health_and_wellbeing_board"


ICB_BODY_KINDS = frozenset({BodyKind.ICB_BOARD, BodyKind.ICB_COMMITTEE})


class MemberRole(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    PARTICIPANT = "participant"
    OBSERVER = "observer"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"
    DEPUTY = "deputy"


class Part(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class Purpose(StrEnum):
    DECISION = "decision"
    DISCUSSION = "discussion"
    INFORMATION = "information"


class Classification(StrEnum):
    PUBLIC = "public"
    CONFIDENTIAL = "confidential"


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    NOTED = "noted"


class ContributionKind(StrEnum):
    PROPOSED = "proposed"
    CO_PRODUCED = "co_produced"
    CONSULTED = "consulted"


class Vote(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class PartyKind(StrEnum):
    BODY = "body"
    ORGANISATION = "organisation"


class RecipientType(StrEnum):
    PLACE = "place"
    PROVIDER_COLLABORATIVE = "provider_collaborative"
    LEAD_PROVIDER = "lead_provider"
    OTHER = "other"


class PostKind(StrEnum):
    ICB_CHAIR = "icb_chair"
    ICB_CHIEF_EXECUTIVE = "icb_chief_executive"
    ICP_CHAIR = "icp_chair"
    PLACE_LEAD = "place_lead"
    PROVIDER_COLLABORATIVE_LEAD = "provider_collaborative_lead"
    PCN_CLINICAL_DIRECTOR = "pcn_clinical_director"


class Background(StrEnum):
    COMMISSIONING = "commissioning"
    PROVIDER_TRUST = "provider_trust"
    LOCAL_GOVERNMENT = "local_government"
    PRIMARY_CARE = "primary_care"
    VCSE = "vcse"
    OTHER = "other"


# The sectors whose voice the partner-voice measures report: the four non-NHS sectors, then
# primary care and mental health.
VOICE_SECTORS: tuple[Sector, ...] = (
    Sector.LOCAL_GOVERNMENT,
    Sector.VCSE,
    Sector.SOCIAL_CARE,
    Sector.HEALTHWATCH,
    Sector.PRIMARY_CARE,
    Sector.MENTAL_HEALTH,
)
