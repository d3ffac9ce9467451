"""Tables of the structure register.

Loads write *what each file said* (``batch``, ``snapshot``, ``assertion``, ``area_record``,
``org_record``, ``attribute``, ``deprivation``, ``population``); the effective-dated views
(``edge``, ``area``, ``organisation``, ``succession``) are derived from them inside the same
transaction, so the register never mixes half of one load with another.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

batch = Table(
    "batch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("source_name", String(255), nullable=False),
    Column("source_path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("snapshot_date", Date, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_loaded", Integer, nullable=False),
    Column("rows_quarantined", Integer, nullable=False),
    Column("rows_out_of_scope", Integer, nullable=False),
    Column("report", Text, nullable=False),  # JSON: counts of each reason
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("sha256"),
)

snapshot = Table(
    "snapshot",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), primary_key=True),
    Column("relation", String(16), primary_key=True),
    Column("child_level", String(16), primary_key=True),
    Column("parent_level", String(16), primary_key=True),
    Column("snapshot_date", Date, nullable=False),
)

assertion = Table(
    "assertion",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), nullable=False),
    Column("relation", String(16), nullable=False),
    Column("child_level", String(16), nullable=False),
    Column("child", String(16), nullable=False),
    Column("parent_level", String(16), nullable=False),
    Column("parent", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("share", Float),
    Index(None, "relation", "child_level", "parent_level"),
)

edge = Table(
    "edge",
    metadata,
    Column("relation", String(16), nullable=False),
    Column("child_level", String(16), nullable=False),
    Column("child", String(16), nullable=False),
    Column("parent_level", String(16), nullable=False),
    Column("parent", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("share", Float),
    Index(None, "relation", "child_level", "parent_level", "valid_from"),
    Index(None, "parent", "relation"),
    Index(None, "child", "relation"),
)

area_record = Table(
    "area_record",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), nullable=False),
    Column("level", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("name", Text),
    Column("ods_code", String(16)),
    Column("snapshot_date", Date, nullable=False),
    Index(None, "level", "code"),
)

area = Table(
    "area",
    metadata,
    Column("level", String(16), primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("name", Text),
    Column("ods_code", String(16)),
    Index(None, "ods_code"),
)

succession = Table(
    "succession",
    metadata,
    Column("level", String(16), nullable=False),
    Column("old_code", String(16), nullable=False),
    Column("new_code", String(16), nullable=False),
    Column("effective", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("share", Float),
    Column("basis", Text, nullable=False),
    UniqueConstraint("level", "old_code", "new_code", "effective"),
)

declared_succession = Table(
    "declared_succession",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), nullable=False),
    Column("level", String(16), nullable=False),
    Column("old_code", String(16), nullable=False),
    Column("new_code", String(16), nullable=False),
    Column("effective", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("share", Float),
    Column("basis", Text, nullable=False),
)

org_record = Table(
    "org_record",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), nullable=False),
    Column("ods_code", String(16), nullable=False),
    Column("name", Text),
    Column("org_type", String(32), nullable=False),
    Column("trust_type", String(32)),
    Column("sector", String(32), nullable=False),
    Column("postcode", String(16)),
    Column("open_date", Date),
    Column("close_date", Date),
    Column("status", String(16)),
    Column("snapshot_date", Date, nullable=False),
    Index(None, "ods_code"),
)

organisation = Table(
    "organisation",
    metadata,
    Column("ods_code", String(16), primary_key=True),
    Column("name", Text),
    Column("org_type", String(32), nullable=False),
    Column("trust_type", String(32)),
    Column("sector", String(32), nullable=False),
    Column("postcode", String(16)),
    Column("open_date", Date),
    Column("close_date", Date),
    Column("status", String(16)),
)

attribute = Table(
    "attribute",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), nullable=False),
    Column("level", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("value_num", Float),
    Column("value_text", Text),
    Index(None, "level", "name", "code"),
)

deprivation = Table(
    "deprivation",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), nullable=False),
    Column("edition", String(16), nullable=False),  # imd2019, imd2025
    Column("level", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("score", Float),  # the overall IMD score, rank and decile (1 = most deprived)
    Column("rank", Integer),
    Column("decile", Integer),
    # each domain and sub-domain as JSON {"income": [score, rank, decile], ...}: one row per LSOA
    Column("domains", Text, nullable=False),
    Index(None, "edition", "level", "code"),
)

population = Table(
    "population",
    metadata,
    Column("batch_id", Integer, ForeignKey("batch.id"), nullable=False),
    Column("level", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("year", Integer, nullable=False),  # mid-year of the estimate
    Column("sex", String(1), nullable=False),  # P persons, M, F
    Column("total", Integer, nullable=False),
    # single years of age 0..89 then 90+, comma-separated: one row per area keeps a
    # 3-million-cell table small and fast to load; analytics expands it.
    Column("ages", Text, nullable=False),
    Index(None, "level", "code", "year"),
)

place_config = Table(
    "place_config",
    metadata,
    Column("system_code", String(16), nullable=False),
    Column("place_code", String(32), nullable=False),
    Column("place_name", Text, nullable=False),
    Column("member_level", String(16), nullable=False),
    Column("member_code", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    UniqueConstraint("system_code", "place_code", "member_code", "valid_from"),
)
