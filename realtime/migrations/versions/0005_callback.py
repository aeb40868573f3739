"""call-backs from the queue, satisfaction survey, fax line kind

Revision ID: 0005_callback
Revises: 0004_callpath
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_callback"
down_revision = "0004_callpath"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callpath_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), nullable=False, server_default="voice")
        )
        batch_op.add_column(
            sa.Column("survey_percent", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("callpath_queue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_after_s", sa.Float(), nullable=True))
    with op.batch_alter_table("report_contact_fact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("callback_reached", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_contact_fact", schema=None) as batch_op:
        batch_op.drop_column("callback_reached")
        batch_op.drop_column("survey_score")
    with op.batch_alter_table("callpath_queue", schema=None) as batch_op:
        batch_op.drop_column("callback_after_s")
    with op.batch_alter_table("callpath_line", schema=None) as batch_op:
        batch_op.drop_column("survey_percent")
        batch_op.drop_column("kind")
