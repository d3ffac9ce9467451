"""Tables of the governance pillar (on the shared ``metadata``; migration 0002).

Keys are the identifiers governance teams already use (``id`` strings chosen by whoever keeps
the record, e.g. ``QWE-BOARD``), so imports reconcile by key. End dates (``valid_to``,
``end_on``) are the *last* day in force, inclusive, as board secretaries write them. Free text
that the public may read lives with the record; paper contents live in the data folder
(``documents/``), referenced by checksum. Every change made through ``icsys.governance`` writes
a ``gov_audit`` row.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from icsys.store.models import metadata

ID = 64

gov_body = Table(
    "gov_body",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("system_code", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("parent_id", String(ID), ForeignKey("gov_body.id")),
    Column("place_code", String(32)),
    Column("meets_in_public", Boolean, nullable=False),
    Column("terms_of_reference", Text),  # a paper id or a URL
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Index(None, "system_code"),
)

gov_person = Table(
    "gov_person",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
)

gov_member = Table(
    "gov_member",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("body_id", String(ID), ForeignKey("gov_body.id"), nullable=False),
    Column("person_id", String(ID), ForeignKey("gov_person.id"), nullable=False),
    Column("org_code", String(32)),
    Column("org_name", Text),
    Column("sector", String(32), nullable=False),
    Column("role", String(16), nullable=False),
    Column("voting", Boolean, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Index(None, "body_id"),
)

gov_meeting = Table(
    "gov_meeting",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("body_id", String(ID), ForeignKey("gov_body.id"), nullable=False),
    Column("meeting_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("public_part", Boolean, nullable=False),
    Column("private_part", Boolean, nullable=False),
    Column("notice_on", Date),  # the date the meeting and its agenda were published
    Index(None, "body_id", "meeting_date"),
)

gov_attendance = Table(
    "gov_attendance",
    metadata,
    Column("meeting_id", String(ID), ForeignKey("gov_meeting.id"), primary_key=True),
    Column("person_id", String(ID), ForeignKey("gov_person.id"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("deputy_name", Text),
)

gov_item = Table(
    "gov_item",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("meeting_id", String(ID), ForeignKey("gov_meeting.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("presenting_org", Text),
    Column("presenting_sector", String(32)),
    Column("part", String(8), nullable=False),
    Column("purpose", String(16), nullable=False),
    Index(None, "meeting_id"),
)

gov_item_contribution = Table(
    "gov_item_contribution",
    metadata,
    Column("item_id", String(ID), ForeignKey("gov_item.id"), primary_key=True),
    Column("sector", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
)

gov_paper = Table(
    "gov_paper",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("item_id", String(ID), ForeignKey("gov_item.id")),
    Column("body_id", String(ID), ForeignKey("gov_body.id")),
    Column("title", Text, nullable=False),
    Column("author_org", Text),
    Column("classification", String(16), nullable=False),
    Column("published_on", Date),
    Column("version", Integer, nullable=False),
    Column("filename", Text, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("stored_as", Text, nullable=False),  # path under <home>/documents/
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Index(None, "item_id"),
)

gov_decision = Table(
    "gov_decision",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("item_id", String(ID), ForeignKey("gov_item.id"), nullable=False),
    Column("resolution", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Index(None, "item_id"),
)

gov_decision_contribution = Table(
    "gov_decision_contribution",
    metadata,
    Column("decision_id", String(ID), ForeignKey("gov_decision.id"), primary_key=True),
    Column("sector", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
)

gov_vote = Table(
    "gov_vote",
    metadata,
    Column("decision_id", String(ID), ForeignKey("gov_decision.id"), primary_key=True),
    Column("person_id", String(ID), ForeignKey("gov_person.id"), primary_key=True),
    Column("vote", String(16), nullable=False),
)

gov_dissent = Table(
    "gov_dissent",
    metadata,
    Column("decision_id", String(ID), ForeignKey("gov_decision.id"), primary_key=True),
    Column("person_id", String(ID), ForeignKey("gov_person.id"), primary_key=True),
    Column("reason", Text, nullable=False),
)

gov_decision_indicator = Table(
    "gov_decision_indicator",
    metadata,
    Column("decision_id", String(ID), ForeignKey("gov_decision.id"), primary_key=True),
    Column("indicator_id", String(ID), primary_key=True),
    Column("area_code", String(32)),  # where to read the series; default the body's system
    Column("expected_direction", String(16), nullable=False),
    Column("review_on", Date),
)

gov_action = Table(
    "gov_action",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("decision_id", String(ID), ForeignKey("gov_decision.id"), nullable=False),
    Column("description", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("due_on", Date),
    Column("status", String(16), nullable=False),
    Column("progress", Text),
    Index(None, "decision_id"),
)

gov_allocation = Table(
    "gov_allocation",
    metadata,
    Column("system_code", String(16), primary_key=True),
    Column("financial_year", Integer, primary_key=True),  # 2024 means 2024/25
    Column("amount_gbp", BigInteger, nullable=False),
)

gov_delegation = Table(
    "gov_delegation",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("system_code", String(16), nullable=False),
    Column("from_kind", String(16), nullable=False),
    Column("from_code", String(ID), nullable=False),
    Column("to_kind", String(16), nullable=False),
    Column("to_code", String(ID), nullable=False),
    Column("recipient_type", String(32), nullable=False),
    Column("functions", Text, nullable=False),
    Column("scheme_ref", Text),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Index(None, "system_code"),
)

gov_delegation_budget = Table(
    "gov_delegation_budget",
    metadata,
    Column("delegation_id", String(ID), ForeignKey("gov_delegation.id"), primary_key=True),
    Column("financial_year", Integer, primary_key=True),
    Column("amount_gbp", BigInteger, nullable=False),
)

gov_post = Table(
    "gov_post",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("system_code", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("scope_code", String(32)),  # the place, PCN or collaborative the post leads
    Column("title", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Index(None, "system_code"),
)

gov_tenure = Table(
    "gov_tenure",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("post_id", String(ID), ForeignKey("gov_post.id"), nullable=False),
    Column("person_id", String(ID), ForeignKey("gov_person.id"), nullable=False),
    Column("start_on", Date, nullable=False),
    Column("end_on", Date),
    Column("interim", Boolean, nullable=False),
    Column("background", String(32), nullable=False),
    Index(None, "post_id"),
)

gov_audit = Table(
    "gov_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("record_key", Text, nullable=False),
    Column("action", String(8), nullable=False),  # create | update | delete
    Column("before", Text),  # JSON of the row before, null on create
    Column("after", Text),  # JSON of the row after, null on delete
    Index(None, "table_name", "record_key"),
)
