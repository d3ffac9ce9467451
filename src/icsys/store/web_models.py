"""Tables of the web portal: accounts and sessions (migration 0003) and the audit of restricted
reads (migration 0006), on the shared ``metadata``.

Passwords are stored only as Argon2 hashes. A session is a random token held by the browser in a
cookie; the store keeps only its SHA-256, so a copy of the database cannot be used to sign in.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from icsys.store.models import metadata

web_user = Table(
    "web_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),  # member | analyst | admin
    Column("system_code", String(16)),  # the system an analyst (or member) works for
    Column("person_id", String(64)),  # gov_person.id: whose body memberships a member has
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

web_session = Table(
    "web_session",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_user.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

access_audit = Table(
    "access_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),  # the account's username
    Column("role", String(16), nullable=False),
    Column("resource", String(64), nullable=False),  # indicator_values | paper | board_pack
    Column("record_key", Text, nullable=False),  # what was read (indicator@areas, paper id, ...)
    Column("detail", Text),  # JSON: run id, row count, filters
    Index(None, "actor", "at"),
)
"""Reads of restricted data (unsuppressed figures, confidential papers and packs): one row each
(migration 0006). Kept apart from ``gov_audit``, which records changes to governance records."""
