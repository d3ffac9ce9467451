"""Forms for governance records, made from each kind's schema, and saving what they send.

A form is a list of :class:`FormField` (text inputs, NHS.UK date inputs, selects for
vocabularies and short reference lists, yes/no radios). Its values travel as text (a date as
``<field>-day``, ``-month`` and ``-year``); :func:`submit` turns them into the mapping
:func:`icsys.governance.records.save` takes and saves it, audited as the web user, or returns
every problem by field, worded for the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Connection

from icsys.errors import InvalidRecordError
from icsys.governance import records
from icsys.governance.records import SaveOutcome
from icsys.governance.schema import KINDS, Field, Kind, fy_label
from icsys.web.services.records_table import parse_key, reference_options

Widget = Literal["text", "textarea", "date", "select", "radios"]
LONG_TEXT = frozenset(
    {"terms_of_reference", "resolution", "functions", "description", "progress", "reason"}
)
DATE_PARTS = ("day", "month", "year")
_HINTS = {
    "fy": "For example, 2024/25",
    "amount": "In whole pounds",
    "date": "For example, 15 3 2024",
}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    widget: Widget
    required: bool
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    readonly: bool = False

    @property
    def anchor(self) -> str:
        """The id of the element an error summary links to."""
        return {"date": f"{self.name}-day", "radios": f"{self.name}-yes"}.get(
            self.widget, self.name
        )

    def select_items(self, current: str) -> list[dict[str, object]]:
        return [{"value": v, "text": t, "selected": v == current} for v, t in self.options]


def error_list(fields: list[FormField], errors: Mapping[str, str]) -> list[dict[str, str]]:
    """The error summary's links, in the order of the form."""
    return [{"text": errors[f.name], "href": f"#{f.anchor}"} for f in fields if f.name in errors]


def summary_rows(kind_name: str, record: Mapping[str, object]) -> list[tuple[str, str]]:
    """A stored record as (label, value) rows."""
    shown = as_form(kind_name, record)
    rows = []
    for f in records.kind(kind_name).fields:
        value = record.get(f.name)
        text = value.isoformat() if isinstance(value, date) else shown.get(f.name, "")
        rows.append((label_of(f.name), text or "–"))
    return rows


_ACRONYMS = {"id": "ID", "icb": "ICB", "icp": "ICP", "nhs": "NHS", "pcn": "PCN", "vcse": "VCSE"}


def label_of(name: str) -> str:
    """How a field or vocabulary value reads on a form (``body_id`` → ``Body``)."""
    words = (name if name == "id" else name.removesuffix("_id")).split("_")
    text = " ".join(_ACRONYMS.get(w, w) for w in words)
    return text[:1].upper() + text[1:]


def _field(conn: Connection, k: Kind, f: Field, *, editing: bool) -> FormField:
    label, hint = label_of(f.name), _HINTS.get(f.ftype, "")
    if f.name in k.key:
        if editing:
            return FormField(
                f.name, label, "text", f.required, "Part of the record's key", readonly=True
            )
        hint = "Part of the record's key: it cannot be changed later"
    if f.ftype == "date":
        return FormField(f.name, label, "date", f.required, hint)
    if f.ftype == "bool":
        return FormField(f.name, label, "radios", f.required, hint, (("yes", "Yes"), ("no", "No")))
    choices: tuple[tuple[str, str], ...] | None = None
    if f.choices is not None:
        choices = tuple((c.value, label_of(c.value)) for c in f.choices)
    elif f.ref is not None:
        found = reference_options(conn, f.ref)
        choices = tuple(found) if found is not None else None
        hint = f"The ID of a {KINDS[f.ref].label}" if choices is None else hint
    if choices is not None:
        blank = ("", "Choose one" if f.required else "None")
        return FormField(f.name, label, "select", f.required, hint, (blank, *choices))
    widget: Widget = "textarea" if f.name in LONG_TEXT else "text"
    return FormField(f.name, label, widget, f.required, hint)


def form_fields(conn: Connection, kind_name: str, *, editing: bool) -> list[FormField]:
    """The fields of a form for a new (or, ``editing``, a stored) record of the kind."""
    k = records.kind(kind_name)
    return [_field(conn, k, f, editing=editing) for f in k.fields]


def as_form(kind_name: str, record: Mapping[str, object]) -> dict[str, str]:
    """A stored record as the text its form shows."""
    out: dict[str, str] = {}
    for f in records.kind(kind_name).fields:
        value = record.get(f.name)
        if isinstance(value, date):
            out |= {f"{f.name}-day": str(value.day), f"{f.name}-month": str(value.month)}
            out[f"{f.name}-year"] = str(value.year)
        elif isinstance(value, bool):
            out[f.name] = "yes" if value else "no"
        elif f.ftype == "fy" and isinstance(value, int):
            out[f.name] = fy_label(value)
        else:
            out[f.name] = "" if value is None else str(value)
    return out


def _date(label: str, form: Mapping[str, str], name: str) -> tuple[str, str | None]:
    day, month, year = (form.get(f"{name}-{p}", "").strip() for p in DATE_PARTS)
    if not (day or month or year):
        return "", None
    missing = [p for p, v in zip(DATE_PARTS, (day, month, year), strict=True) if not v]
    if missing:
        return "", f"{label} must include a {' and a '.join(missing)}"
    digits = all(v.isdigit() for v in (day, month, year)) and len(year) == len("yyyy")
    try:
        found = date(int(year), int(month), int(day)) if digits else None
    except ValueError:
        found = None
    return (found.isoformat(), None) if found else ("", f"{label} must be a real date")


def _message(k: Kind, field: str, message: str) -> str:
    for name in k.columns:
        if "_" in name:
            message = message.replace(name, label_of(name).lower())
    label = label_of(field)
    return f"{label} {message}" if message.startswith("is ") else f"{label}: {message}"


def submit(
    conn: Connection, kind_name: str, form: Mapping[str, str], *, key: str | None, actor: str
) -> tuple[SaveOutcome | None, str, dict[str, str]]:
    """Save the form as a new record (``key`` None) or as the record at ``key``.

    Returns the outcome, the record's key (``a/b`` for a two-column key) and, when nothing was
    saved, the problems by field."""
    k = records.kind(kind_name)
    raw: dict[str, object] = {}
    errors: dict[str, str] = {}
    for f in k.fields:
        if f.ftype == "date":
            raw[f.name], problem = _date(label_of(f.name), form, f.name)
            if problem:
                errors[f.name] = problem
        else:
            raw[f.name] = form.get(f.name, "")
    if key is not None:
        raw |= parse_key(k, key)
    try:
        values = records.check(conn, kind_name, raw)
    except InvalidRecordError as exc:
        for field, message in exc.problems:
            errors.setdefault(field, _message(k, field, message))
        return None, "", errors
    if key is None and records.get(conn, kind_name, values) is not None:
        errors.setdefault(k.key[-1], f"A {k.label} {k.key_of(values)} already exists")
    if errors:
        return None, "", errors
    return records.save(conn, kind_name, values, actor=actor), k.key_of(values), {}
