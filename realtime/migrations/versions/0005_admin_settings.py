"""admin settings: closure days and report recipients

Revision ID: 0005_admin_settings
Revises: 0005_callback
Create Date: 2026-11-27 12:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_admin_settings"
down_revision = "0005_callback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callpath_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason_ja", sa.String(length=100), nullable=False),
        sa.Column("services", sa.String(length=64), nullable=False),
        sa.Column("dids", sa.String(length=255), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_callpath_closure_day", "callpath_closure", ["day"], unique=False)
    op.create_table(
        "report_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("name_ja", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("address"),
    )


def downgrade() -> None:
    op.drop_table("report_recipient")
    op.drop_index("ix_callpath_closure_day", table_name="callpath_closure")
    op.drop_table("callpath_closure")
