"""Tables of the assessment pillar (on the shared ``metadata``; migration 0005).

``assessment_framework`` keeps the canonical text of every framework version ever used, keyed by
its SHA-256 fingerprint; ``assessment_run`` records each run with the fingerprint it used (a
version, once used, may never change: icsys.assessment.immutability); ``assessment_result`` holds
one row per criterion, domain and overall stage of each system in a run; ``assessment_evidence``
the statements, documents and reviews behind evidenced criteria.
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
    String,
    Table,
    Text,
    UniqueConstraint,
)

from icsys.store.models import metadata

ID = 64

assessment_framework = Table(
    "assessment_framework",
    metadata,
    Column("framework_id", String(ID), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("canonical", Text, nullable=False),  # the canonical YAML that was fingerprinted
    Column("first_used_at", DateTime(timezone=True), nullable=False),
)

assessment_run = Table(
    "assessment_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("framework_id", String(ID), nullable=False),
    Column("version", Integer, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("run_at", DateTime(timezone=True), nullable=False),
    Column("systems", Integer, nullable=False),
    Column("parameters", Text, nullable=False),  # JSON: sources, peer weights, oversight rules
    Index(None, "framework_id", "version"),
    Index(None, "as_of"),
)

assessment_result = Table(
    "assessment_result",
    metadata,
    Column("run_id", Integer, ForeignKey("assessment_run.id"), nullable=False),
    Column("system_code", String(16), nullable=False),
    Column("kind", String(16), nullable=False),  # criterion | domain | overall | oversight
    Column("domain_id", String(ID), nullable=False),  # "" for overall and oversight rows
    Column("criterion_id", String(ID), nullable=False),  # "" for domain and overall rows
    Column("value", Float),
    Column("threshold", Text),
    Column("outcome", String(16)),
    Column("stage", Integer),
    Column("score", Float),
    Column("evidence_id", String(ID)),
    Column("detail", Text),  # JSON: every value the rule looked at, gates, notes
    UniqueConstraint("run_id", "system_code", "kind", "domain_id", "criterion_id"),
    Index(None, "system_code", "kind"),
)

assessment_evidence = Table(
    "assessment_evidence",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("system_code", String(16), nullable=False),
    Column("framework_id", String(ID), nullable=False),
    Column("criterion", String(2 * ID + 1), nullable=False),  # domain.criterion
    Column("statement", Text, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_by", Text, nullable=False),
    Column("documents", Text, nullable=False),  # JSON [{"title", "path", "sha256"}]
    Column("reviewer", Text),
    Column("reviewer_system_code", String(16)),  # peer review by another system
    Column("review_outcome", String(16), nullable=False),  # pending | accepted | rejected
    Column("reviewed_on", Date),
    Column("review_notes", Text),
    Index(None, "system_code", "framework_id", "criterion"),
)
