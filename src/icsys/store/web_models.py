"""Tables of the web portal: accounts and sessions (on the shared ``metadata``; migration 0003).

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
