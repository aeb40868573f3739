"""monitoring: alerts and the audit chain's verification checkpoint

Revision ID: 0004_monitoring
Revises: 0003_crm
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_monitoring"
down_revision = "0003_crm"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("message_ja", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_key", sa.String(length=170), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_state", sa.String(length=16), nullable=False),
        sa.Column("mail_attempts", sa.Integer(), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
    )
    op.create_index("ix_monitor_alert_kind", "monitor_alert", ["kind"])
    op.create_index("ix_monitor_alert_raised_at", "monitor_alert", ["raised_at"])
    op.create_index("ix_monitor_alert_mail_state", "monitor_alert", ["mail_state"])
    op.create_table(
        "monitor_audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("monitor_audit_checkpoint")
    op.drop_index("ix_monitor_alert_mail_state", table_name="monitor_alert")
    op.drop_index("ix_monitor_alert_raised_at", table_name="monitor_alert")
    op.drop_index("ix_monitor_alert_kind", table_name="monitor_alert")
    op.drop_table("monitor_alert")
