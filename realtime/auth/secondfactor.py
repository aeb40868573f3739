"""Resetting a user's second factor (TOTP) when the authenticator is lost: the secret and any
enrolment in progress are erased, the user's sessions end, and the next sign-in asks to enrol
again. Audited as ``user-totp-reset``."""

from __future__ import annotations

from sqlmodel import Session

from realtime.audit import service as audit
from realtime.auth.models import User
from realtime.auth.service import get_user, revoke_user_sessions
from realtime.errors import ValidationFailed


def reset_second_factor(session: Session, *, username: str, actor: str, ip: str = "") -> User:
    """Erase ``username``'s TOTP secret and end their sessions; nobody resets their own."""
    if username == actor:
        message = (
            "自分自身の二要素認証はリセットできません。"
            "「二要素認証の設定」から登録し直してください。"
        )
        raise ValidationFailed(message, fields={"username": message})
    user = get_user(session, username=username)
    had = user.totp_enabled or user.totp_pending_enc is not None
    user.totp_secret_enc = None
    user.totp_pending_enc = None
    user.totp_enabled = False
    user.totp_last_step = None
    session.add(user)
    revoked = revoke_user_sessions(session, user_id=user.id or 0)
    audit.record(
        session,
        actor=actor,
        action="user-totp-reset",
        target=username,
        ip=ip,
        detail={"had_second_factor": had, "revoked": revoked},
    )
    session.commit()
    return user
