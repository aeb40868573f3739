"""reports: per-contact facts of closed days, operator peaks per hour, rollup watermark, daily reports

Revision ID: 0003_reports
Revises: 0003_inbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_reports"
down_revision = "0003_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_contact_fact",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receipt_inferred", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("line", sa.String(length=32), nullable=True),
        sa.Column("menu", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("work_type", sa.String(length=32), nullable=True),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.Column("section", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wait_s", sa.Float(), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandon_stage", sa.String(length=16), nullable=True),
        sa.Column("abandon_wait_s", sa.Float(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=False),
        sa.Column("wrapup_s", sa.Float(), nullable=True),
        sa.Column("closed_guidance", sa.Boolean(), nullable=False),
        sa.Column("transfers_out", sa.Text(), nullable=False),
        sa.Column("forwarded_to", sa.Text(), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("violations", sa.Text(), nullable=False),
        sa.Column("callback_requested", sa.Boolean(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("first_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    with op.batch_alter_table("report_contact_fact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_contact_fact_received_at"), ["received_at"], unique=False
        )
    op.create_table(
        "report_operator_hour",
        sa.Column("hour_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("peak", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour_start"),
    )
    op.create_table(
        "report_rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("closed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "daily_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("numbers", sa.Text(), nullable=False),
        sa.Column("complaints", sa.Text(), nullable=False),
        sa.Column("handoff_topics", sa.Text(), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("covid_status", sa.Text(), nullable=False),
        sa.Column("user_voices", sa.Text(), nullable=False),
        sa.Column("suspicious_calls", sa.Text(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_by", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("daily_report")
    op.drop_table("report_rollup_state")
    op.drop_table("report_operator_hour")
    with op.batch_alter_table("report_contact_fact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_contact_fact_received_at"))
    op.drop_table("report_contact_fact")
