"""Notices from leaders and supervisors to every agent desk (お知らせ)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel, col, select

from realtime.audit import service as audit
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow
from realtime.types import UtcDateTime

MAX_LENGTH = 500
SHOWN_FOR = timedelta(hours=12)


class Announcement(SQLModel, table=True):
    __tablename__ = "announcement"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    author: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))


def _public(row: Announcement) -> dict[str, Any]:
    return {"id": row.id, "at": row.at.isoformat(), "author": row.author, "text": row.text}


def create(ctx: Any, *, author: str, text: Any) -> dict[str, Any]:
    """Store a notice (1-500 characters); audited."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed(fields={"text": "お知らせの本文を入力してください。"})
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise ValidationFailed(fields={"text": f"{MAX_LENGTH}文字以内にしてください。"})
    with ctx.db.session() as session:
        row = Announcement(at=utcnow(), author=author, text=text)
        session.add(row)
        session.flush()
        audit.record(session, actor=author, action="announcement-sent", target=str(row.id))
        return _public(row)


def recent_public(ctx: Any) -> list[dict[str, Any]]:
    """Notices of the last 12 hours, newest first."""
    with ctx.db.session() as session:
        rows = session.exec(
            select(Announcement)
            .where(col(Announcement.at) >= utcnow() - SHOWN_FOR)
            .order_by(col(Announcement.id).desc())
            .limit(20)
        ).all()
        return [_public(r) for r in rows]
