"""assessment: frameworks used, runs, results, evidence

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_framework",
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("framework_id", "version", name=op.f("pk_assessment_framework")),
    )
    op.create_table(
        "assessment_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("systems", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_run")),
    )
    with op.batch_alter_table("assessment_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_run_framework_id_version"),
            ["framework_id", "version"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_assessment_run_as_of"), ["as_of"], unique=False)
    op.create_table(
        "assessment_result",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("system_code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("domain_id", sa.String(length=64), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["assessment_run.id"],
            name=op.f("fk_assessment_result_run_id_assessment_run"),
        ),
        sa.UniqueConstraint(
            "run_id",
            "system_code",
            "kind",
            "domain_id",
            "criterion_id",
            name=op.f("uq_assessment_result_run_id_system_code_kind_domain_id_criterion_id"),
        ),
    )
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_result_system_code_kind"),
            ["system_code", "kind"],
            unique=False,
        )
    op.create_table(
        "assessment_evidence",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("system_code", sa.String(length=16), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("criterion", sa.String(length=129), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=True),
        sa.Column("reviewer_system_code", sa.String(length=16), nullable=True),
        sa.Column("review_outcome", sa.String(length=16), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("review_notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_evidence")),
    )
    with op.batch_alter_table("assessment_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_evidence_system_code_framework_id_criterion"),
            ["system_code", "framework_id", "criterion"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_evidence_system_code_framework_id_criterion"))
    op.drop_table("assessment_evidence")
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_result_system_code_kind"))
    op.drop_table("assessment_result")
    with op.batch_alter_table("assessment_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_run_as_of"))
        batch_op.drop_index(batch_op.f("ix_assessment_run_framework_id_version"))
    op.drop_table("assessment_run")
    op.drop_table("assessment_framework")
