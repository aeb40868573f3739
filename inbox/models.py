"""Tables of received mail: the per-mailbox IMAP cursor, each received message, and what was parsed.

Personal data (the sender's address, the parsed text and headers) lives only here, sealed with
the server secret (``inbox.intake.privacy``); the raw message is in the encrypted media store.
Neither reaches the contact event log (N-PRIV-1).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime

_ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class MailboxCursor(SQLModel, table=True):
    """How far the intake has taken one mailbox: every UID up to ``last_uid`` is stored."""

    __tablename__ = "inbox_mailbox_cursor"

    mailbox: str = Field(sa_column=Column(String(24), primary_key=True))
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    uidvalidity_changes: int = 0
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class InboxMessage(SQLModel, table=True):
    """One received message: where it came from, its raw copy, and queue or quarantine."""

    __tablename__ = "inbox_message"
    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbox_message_imap_uid"),
    )

    id: int | None = Field(default=None, sa_column=Column(_ID_TYPE, primary_key=True))
    mailbox: str = Field(sa_column=Column(String(24), nullable=False, index=True))
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    uid: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    raw_file_id: str = Field(sa_column=Column(String(64), nullable=False))
    raw_sha256: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    raw_size: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id_hash: str | None = Field(default=None, sa_column=Column(String(64), index=True))
    sender_domain: str = Field(default="", max_length=255)
    sender_sealed: str = Field(default="", sa_column=Column(Text, nullable=False))
    answerable: bool = False
    is_auto: bool = False
    duplicate_of: int | None = Field(default=None, sa_column=Column(_ID_TYPE, nullable=True))
    contact_id: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    event_id: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    taken_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class InboxParsed(SQLModel, table=True):
    """What the parser read from one message, sealed (subject, sender, text, attachments)."""

    __tablename__ = "inbox_parsed"

    message_id: int = Field(
        sa_column=Column(_ID_TYPE, ForeignKey("inbox_message.id"), primary_key=True)
    )
    parsed_sealed: str = Field(sa_column=Column(Text, nullable=False))
    parse_ok: bool = True
