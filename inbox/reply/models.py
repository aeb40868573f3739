"""Reply templates and the outbox of mail the center sends (replies, acknowledgements, forwards).

The text of what is sent may hold a citizen's personal data: it is sealed (``inbox-personal-data``
box) and never copied into the interaction history or the contact events.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class ReplyTemplate(SQLModel, table=True):
    """A reply template administrators edit; ``$name`` placeholders are filled at compose time."""

    __tablename__ = "inbox_reply_template"

    id: int | None = Field(
        default=None, sa_column=Column(Integer, primary_key=True), description="Template number."
    )
    name: str = Field(max_length=64, unique=True, description="Template name shown at the desk.")
    subject: str = Field(
        default="", max_length=200, description="Subject template (empty: Re: the original)."
    )
    body: str = Field(sa_column=Column(Text, nullable=False), description="Body template.")
    purpose: str = Field(
        default="reply", max_length=16, description="reply (desk) or ack (acknowledgement)."
    )
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(default="", max_length=64, description="Who changed it last.")


class OutboxMail(SQLModel, table=True):
    """One mail to send, with its delivery state; failures are retried with back-off."""

    __tablename__ = "inbox_outbox"

    id: int | None = Field(
        default=None, sa_column=Column(Integer, primary_key=True), description="Outbox number."
    )
    kind: str = Field(max_length=16, description="reply, ack (acknowledgement) or forward.")
    inbox_message_id: int | None = Field(
        default=None, index=True, description="The received message answered (inbox_message.id)."
    )
    work_item_id: str | None = Field(
        default=None, max_length=36, index=True, description="The work item (work_item.id)."
    )
    message_id: str = Field(
        sa_column=Column(String(255), nullable=False, unique=True),
        description="Message-ID of the sent mail (in the center's domain).",
    )
    mail_sealed: str = Field(
        sa_column=Column(Text, nullable=False),
        description="The whole composed mail (RFC 5322 bytes), sealed: it holds personal data.",
    )
    recipients_sealed: str = Field(
        sa_column=Column(Text, nullable=False), description="Envelope recipients, sealed."
    )
    state: str = Field(
        max_length=16, index=True, description="pending, sent or failed (no more retries)."
    )
    attempts: int = Field(default=0, description="Delivery attempts so far.")
    next_attempt_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), nullable=True, index=True),
        description="When the next attempt is due (UTC); null once sent or failed.",
    )
    last_error: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="Last delivery error."
    )
    destination: str = Field(
        default="", max_length=32, description="Department code of a forward (department.dept_id)."
    )
    created_by: str = Field(default="", max_length=64, description="Agent or system: who sent.")
    created_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When it was queued (UTC)."
    )
    sent_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), nullable=True),
        description="When the relay accepted it (UTC).",
    )
