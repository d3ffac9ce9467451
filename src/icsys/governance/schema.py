"""What each kind of governance record holds: fields, types, vocabularies and references.

One description serves the service (values given as Python objects) and the importer (values
read as text from CSV or as YAML scalars): :func:`coerce_row` turns either into typed values and
says, field by field, what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy import Table

from icsys.domain.levels import Sector
from icsys.governance import vocab as v
from icsys.store import governance_models as g

FieldType = Literal["text", "date", "bool", "int", "amount", "fy", "enum"]


@dataclass(frozen=True)
class Field:
    name: str
    ftype: FieldType = "text"
    required: bool = False
    choices: type[StrEnum] | None = None
    ref: str | None = None  # the kind whose ``id`` this field names


@dataclass(frozen=True)
class Kind:
    """A kind of record: its table, key columns and fields (in file-column order)."""

    name: str
    label: str
    table: Table
    key: tuple[str, ...]
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def key_of(self, values: Mapping[str, object]) -> str:
        return "/".join(str(values.get(k)) for k in self.key)


def _f(name: str, type_: FieldType = "text", *, req: bool = False, ref: str | None = None) -> Field:
    return Field(name, type_, req, None, ref)


def _e(name: str, choices: type[StrEnum], *, req: bool = True) -> Field:
    return Field(name, "enum", req, choices)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("people", "person", g.gov_person, ("id",), (_f("id", req=True), _f("name", req=True))),
        Kind(
            "bodies",
            "body",
            g.gov_body,
            ("id",),
            (
                _f("id", req=True),
                _f("system_code", req=True),
                _f("name", req=True),
                _e("kind", v.BodyKind),
                _f("parent_id", ref="bodies"),
                _f("place_code"),
                _f("meets_in_public", "bool", req=True),
                _f("terms_of_reference"),
                _f("valid_from", "date", req=True),
                _f("valid_to", "date"),
            ),
        ),
        Kind(
            "members",
            "member",
            g.gov_member,
            ("id",),
            (
                _f("id", req=True),
                _f("body_id", req=True, ref="bodies"),
                _f("person_id", req=True, ref="people"),
                _f("org_code"),
                _f("org_name"),
                _e("sector", Sector),
                _e("role", v.MemberRole),
                _f("voting", "bool", req=True),
                _f("valid_from", "date", req=True),
                _f("valid_to", "date"),
            ),
        ),
        Kind(
            "meetings",
            "meeting",
            g.gov_meeting,
            ("id",),
            (
                _f("id", req=True),
                _f("body_id", req=True, ref="bodies"),
                _f("meeting_date", "date", req=True),
                _e("status", v.MeetingStatus),
                _f("public_part", "bool", req=True),
                _f("private_part", "bool", req=True),
                _f("notice_on", "date"),
            ),
        ),
        Kind(
            "attendance",
            "attendance",
            g.gov_attendance,
            ("meeting_id", "person_id"),
            (
                _f("meeting_id", req=True, ref="meetings"),
                _f("person_id", req=True, ref="people"),
                _e("status", v.AttendanceStatus),
                _f("deputy_name"),
            ),
        ),
        Kind(
            "items",
            "agenda item",
            g.gov_item,
            ("id",),
            (
                _f("id", req=True),
                _f("meeting_id", req=True, ref="meetings"),
                _f("seq", "int", req=True),
                _f("title", req=True),
                _f("presenting_org"),
                _e("presenting_sector", Sector, req=False),
                _e("part", v.Part),
                _e("purpose", v.Purpose),
            ),
        ),
        Kind(
            "item_contributions",
            "item contribution",
            g.gov_item_contribution,
            ("item_id", "sector"),
            (
                _f("item_id", req=True, ref="items"),
                _e("sector", Sector),
                _e("kind", v.ContributionKind),
            ),
        ),
        Kind(
            "decisions",
            "decision",
            g.gov_decision,
            ("id",),
            (
                _f("id", req=True),
                _f("item_id", req=True, ref="items"),
                _f("resolution", req=True),
                _e("outcome", v.Outcome),
            ),
        ),
        Kind(
            "decision_contributions",
            "decision contribution",
            g.gov_decision_contribution,
            ("decision_id", "sector"),
            (
                _f("decision_id", req=True, ref="decisions"),
                _e("sector", Sector),
                _e("kind", v.ContributionKind),
            ),
        ),
        Kind(
            "votes",
            "vote",
            g.gov_vote,
            ("decision_id", "person_id"),
            (
                _f("decision_id", req=True, ref="decisions"),
                _f("person_id", req=True, ref="people"),
                _e("vote", v.Vote),
            ),
        ),
        Kind(
            "dissents",
            "dissent",
            g.gov_dissent,
            ("decision_id", "person_id"),
            (
                _f("decision_id", req=True, ref="decisions"),
                _f("person_id", req=True, ref="people"),
                _f("reason", req=True),
            ),
        ),
        Kind(
            "decision_indicators",
            "decision indicator",
            g.gov_decision_indicator,
            ("decision_id", "indicator_id"),
            (
                _f("decision_id", req=True, ref="decisions"),
                _f("indicator_id", req=True),
                _f("area_code"),
                _e("expected_direction", v.Direction),
                _f("review_on", "date"),
            ),
        ),
        Kind(
            "actions",
            "action",
            g.gov_action,
            ("id",),
            (
                _f("id", req=True),
                _f("decision_id", req=True, ref="decisions"),
                _f("description", req=True),
                _f("owner", req=True),
                _f("due_on", "date"),
                _e("status", v.ActionStatus),
                _f("progress"),
            ),
        ),
        Kind(
            "allocations",
            "allocation",
            g.gov_allocation,
            ("system_code", "financial_year"),
            (
                _f("system_code", req=True),
                _f("financial_year", "fy", req=True),
                _f("amount_gbp", "amount", req=True),
            ),
        ),
        Kind(
            "delegations",
            "delegation",
            g.gov_delegation,
            ("id",),
            (
                _f("id", req=True),
                _f("system_code", req=True),
                _e("from_kind", v.PartyKind),
                _f("from_code", req=True),
                _e("to_kind", v.PartyKind),
                _f("to_code", req=True),
                _e("recipient_type", v.RecipientType),
                _f("functions", req=True),
                _f("scheme_ref"),
                _f("valid_from", "date", req=True),
                _f("valid_to", "date"),
            ),
        ),
        Kind(
            "delegation_budgets",
            "delegation budget",
            g.gov_delegation_budget,
            ("delegation_id", "financial_year"),
            (
                _f("delegation_id", req=True, ref="delegations"),
                _f("financial_year", "fy", req=True),
                _f("amount_gbp", "amount", req=True),
            ),
        ),
        Kind(
            "posts",
            "post",
            g.gov_post,
            ("id",),
            (
                _f("id", req=True),
                _f("system_code", req=True),
                _e("kind", v.PostKind),
                _f("scope_code"),
                _f("title", req=True),
                _f("valid_from", "date", req=True),
                _f("valid_to", "date"),
            ),
        ),
        Kind(
            "tenures",
            "tenure",
            g.gov_tenure,
            ("id",),
            (
                _f("id", req=True),
                _f("post_id", req=True, ref="posts"),
                _f("person_id", req=True, ref="people"),
                _f("start_on", "date", req=True),
                _f("end_on", "date"),
                _f("interim", "bool", req=True),
                _e("background", v.Background),
            ),
        ),
    )
}

# Dependency order: a kind's references are to kinds before it.
ORDER: tuple[str, ...] = tuple(KINDS)

_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}
_FY = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$")


class FieldError(ValueError):
    """One field's value is wrong; ``column`` names the field."""

    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(f"{column}: {message}")


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def coerce(field: Field, raw: object) -> object:  # noqa: C901, PLR0911, PLR0912
    """The typed value of ``raw`` for ``field`` (``None`` when blank); raises ``FieldError``."""
    if _blank(raw):
        if field.required:
            raise FieldError(field.name, "is required")
        return None
    text = raw.strip() if isinstance(raw, str) else raw
    if field.ftype == "text":
        return str(text)
    if field.ftype == "date":
        if isinstance(text, datetime):
            return text.date()
        if isinstance(text, date):
            return text
        try:
            return date.fromisoformat(str(text))
        except ValueError:
            raise FieldError(field.name, f"{text!r} is not a date (expected YYYY-MM-DD)") from None
    if field.ftype == "bool":
        if isinstance(text, bool):
            return text
        word = str(text).lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise FieldError(field.name, f"{text!r} is not a yes/no value")
    if field.ftype in {"int", "amount"}:
        return _number(field, text)
    if field.ftype == "fy":
        return _financial_year(field, text)
    assert field.choices is not None  # noqa: S101 - enum fields always name their vocabulary
    try:
        return field.choices(str(text).lower()).value
    except ValueError:
        names = ", ".join(c.value for c in field.choices)
        raise FieldError(field.name, f"{text!r} is not one of {names}") from None


def _number(field: Field, raw: object) -> int:
    if isinstance(raw, bool):
        raise FieldError(field.name, f"{raw!r} is not a whole number")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).replace(",", "")
        if field.ftype == "amount":
            text = text.removeprefix("£")
        if not re.fullmatch(r"-?\d+", text):
            what = "an amount in whole pounds" if field.ftype == "amount" else "a whole number"
            raise FieldError(field.name, f"{raw!r} is not {what}")
        value = int(text)
    if field.ftype == "amount" and value < 0:
        raise FieldError(field.name, f"{raw!r} is negative")
    return value


def _financial_year(field: Field, raw: object) -> int:
    match = _FY.match(str(raw))
    if match is None:
        raise FieldError(field.name, f"{raw!r} is not a financial year (expected e.g. 2024/25)")
    start, end = int(match.group(1)), match.group(2)
    if end is not None and int(end) % 100 != (start + 1) % 100:
        raise FieldError(field.name, f"{raw!r} is not a financial year (expected e.g. 2024/25)")
    return start


def fy_label(start: int) -> str:
    """``2024`` → ``2024/25``."""
    return f"{start}/{(start + 1) % 100:02d}"


def coerce_row(kind: Kind, raw: Mapping[str, object]) -> tuple[dict[str, object], list[FieldError]]:
    """Typed values of every field of ``kind`` and the errors found (all of them, in order)."""
    values: dict[str, object] = {}
    errors: list[FieldError] = []
    for field in kind.fields:
        try:
            values[field.name] = coerce(field, raw.get(field.name))
        except FieldError as exc:
            errors.append(exc)
    if not errors:
        errors.extend(_range_errors(values))
    return values, errors


_RANGES = (("valid_from", "valid_to"), ("start_on", "end_on"))


def _range_errors(values: Mapping[str, object]) -> list[FieldError]:
    found = []
    for start, end in _RANGES:
        a, b = values.get(start), values.get(end)
        if isinstance(a, date) and isinstance(b, date) and b < a:
            found.append(FieldError(end, f"{b.isoformat()} is before {start} {a.isoformat()}"))
    return found
