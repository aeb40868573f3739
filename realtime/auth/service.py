"""Users, authentication, lockout, sessions and the second factor.

Plain synchronous functions over a ``Session``; the HTTP views call them through
``Database.run``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from realtime.audit import service as audit
from realtime.auth import passwords, totp
from realtime.auth.models import User, UserRole, WebSession
from realtime.auth.permissions import Permission, Role, needs_second_factor, permissions_for
from realtime.auth.secretbox import SecretBox
from realtime.errors import (
    AccountDisabled,
    AccountLocked,
    Conflict,
    InvalidCredentials,
    InvalidTotp,
    NotFound,
    SessionExpired,
    ValidationFailed,
)
from realtime.timeutil import utcnow

USERNAME_MAX = 64


@dataclass(frozen=True)
class Principal:
    """Who is making a request, and what they may do now."""

    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    session_id: str
    second_factor_passed: bool
    totp_enabled: bool
    must_change_password: bool

    @property
    def second_factor_required(self) -> bool:
        return needs_second_factor(self.roles)

    @property
    def fully_signed_in(self) -> bool:
        """Password accepted, and the second factor passed where the roles need it."""
        return self.second_factor_passed or not self.second_factor_required

    @property
    def permissions(self) -> frozenset[Permission]:
        if not self.fully_signed_in:
            return frozenset({Permission.ACCOUNT_SELF})
        return permissions_for(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta
    max_failures: int
    lockout: timedelta


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    rows = session.exec(select(UserRole.role).where(col(UserRole.user_id) == user_id))
    return frozenset(Role(r) for r in rows if r in Role._value2member_map_)


def _check_username(username: str) -> str:
    username = username.strip()
    if (
        not username
        or len(username) > USERNAME_MAX
        or not all(c.isalnum() or c in "._-" for c in username)
    ):
        raise ValidationFailed(fields={"username": "英数字と . _ - で64文字以内にしてください。"})
    return username


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: list[Role],
    actor: str,
    must_change_password: bool = False,
) -> User:
    """Create a user with roles; audited."""
    username = _check_username(username)
    if not roles:
        raise ValidationFailed(fields={"roles": "ロールを1つ以上選んでください。"})
    passwords.check_policy(password, username=username)
    if session.exec(select(User).where(col(User.username) == username)).first():
        raise Conflict("同じユーザーIDが既に登録されています。", username=username)
    user = User(
        username=username,
        display_name=display_name.strip()[:100] or username,
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for role in sorted(set(roles)):
        session.add(UserRole(user_id=user.id, role=role.value))
    audit.record(
        session,
        actor=actor,
        action="user-created",
        target=username,
        detail={"roles": sorted(r.value for r in roles)},
    )
    return user


def list_users(session: Session) -> list[tuple[User, frozenset[Role]]]:
    """Every user with their roles, by username."""
    users = session.exec(select(User).order_by(col(User.username))).all()
    return [(u, roles_of(session, u.id or 0)) for u in users]


def get_user(session: Session, *, username: str) -> User:
    user = session.exec(select(User).where(col(User.username) == username)).first()
    if user is None:
        raise NotFound("ユーザーが見つかりません。", username=username)
    return user


def disable_user(session: Session, *, username: str, actor: str) -> User:
    """Disable a user and revoke all their sessions; audited. Nobody disables themselves."""
    if username == actor:
        raise ValidationFailed(
            "自分自身のアカウントは無効にできません。",
            fields={"username": "自分自身のアカウントは無効にできません。"},
        )
    user = get_user(session, username=username)
    user.disabled = True
    session.add(user)
    revoked = revoke_user_sessions(session, user_id=user.id or 0)
    audit.record(
        session, actor=actor, action="user-disabled", target=username, detail={"revoked": revoked}
    )
    return user


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    policy: SessionPolicy,
    ip: str,
) -> User:
    """Check a password with back-off and lockout; every outcome is audited."""
    now = utcnow()
    user = session.exec(select(User).where(col(User.username) == username.strip())).first()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record(
            session, actor=username, action="sign-in", outcome="locked", ip=ip, target=username
        )
        session.commit()  # the audit entry stands even though sign-in fails
        raise AccountLocked(until=user.locked_until.isoformat())
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not ok:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= policy.max_failures:
                # Each further failure doubles the lock, up to 16 times the base.
                extra = min(user.failed_logins - policy.max_failures, 4)
                user.locked_until = now + policy.lockout * (2**extra)
            session.add(user)
        audit.record(
            session,
            actor=username[:64],
            action="sign-in",
            outcome="failure",
            ip=ip,
            target=username[:64],
            detail={"known_user": user is not None},
        )
        session.commit()
        raise InvalidCredentials()
    if user.disabled:
        audit.record(session, actor=username, action="sign-in", outcome="disabled", ip=ip)
        session.commit()
        raise AccountDisabled()
    user.failed_logins = 0
    user.locked_until = None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    session.add(user)
    audit.record(session, actor=user.username, action="sign-in", ip=ip)
    return user


def create_session(
    session: Session, *, user: User, policy: SessionPolicy, ip: str, user_agent: str
) -> str:
    """A new server-side session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            id=_token_id(token),
            user_id=user.id or 0,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.absolute,
            ip=ip[:64],
            user_agent=user_agent[:255],
        )
    )
    return token


def load_principal(session: Session, *, token: str, policy: SessionPolicy) -> Principal:
    """The principal for a cookie token; raises when missing, revoked, idle or expired."""
    row = session.get(WebSession, _token_id(token))
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise SessionExpired()
    if row.expires_at <= now or row.last_seen_at + policy.idle <= now:
        row.revoked_at = now
        session.add(row)
        session.commit()
        raise SessionExpired()
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise SessionExpired()
    if (now - row.last_seen_at).total_seconds() > 30:
        row.last_seen_at = now
        session.add(row)
    return Principal(
        user_id=user.id or 0,
        username=user.username,
        display_name=user.display_name,
        roles=roles_of(session, user.id or 0),
        session_id=row.id,
        second_factor_passed=row.second_factor_passed,
        totp_enabled=user.totp_enabled,
        must_change_password=user.must_change_password,
    )


def live_session_ids(session: Session, *, session_ids: set[str], policy: SessionPolicy) -> set[str]:
    """Which of these sessions are still valid (not revoked, not expired, user enabled)."""
    if not session_ids:
        return set()
    now = utcnow()
    rows = session.exec(
        select(WebSession, User)
        .join(User, col(User.id) == col(WebSession.user_id))
        .where(col(WebSession.id).in_(session_ids), col(WebSession.revoked_at).is_(None))
    ).all()
    return {
        row.id
        for row, user in rows
        if not user.disabled and row.expires_at > now and row.last_seen_at + policy.idle > now
    }


def revoke_session(session: Session, *, session_id: str) -> None:
    row = session.get(WebSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)


def revoke_user_sessions(
    session: Session, *, user_id: int, except_session: str | None = None
) -> int:
    """Revoke every live session of a user (optionally keeping one); returns how many."""
    rows = session.exec(
        select(WebSession).where(
            col(WebSession.user_id) == user_id, col(WebSession.revoked_at).is_(None)
        )
    ).all()
    now = utcnow()
    count = 0
    for row in rows:
        if row.id != except_session:
            row.revoked_at = now
            session.add(row)
            count += 1
    return count


def change_password(
    session: Session,
    *,
    principal: Principal,
    current: str,
    new: str,
    ip: str,
) -> None:
    """Change one's own password; other sessions are revoked; audited."""
    user = session.get(User, principal.user_id)
    assert user is not None
    if not passwords.verify_password(user.password_hash, current):
        audit.record(
            session, actor=user.username, action="password-change", outcome="failure", ip=ip
        )
        session.commit()
        raise ValidationFailed(fields={"current_password": "現在のパスワードが正しくありません。"})
    passwords.check_policy(new, username=user.username)
    if passwords.verify_password(user.password_hash, new):
        raise ValidationFailed(fields={"new_password": "現在と異なるパスワードにしてください。"})
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    session.add(user)
    revoke_user_sessions(session, user_id=user.id or 0, except_session=principal.session_id)
    audit.record(session, actor=user.username, action="password-change", ip=ip)


def begin_totp_enrolment(session: Session, *, principal: Principal, box: SecretBox) -> str:
    """A fresh pending secret (the current one stays until a code confirms the new one)."""
    user = session.get(User, principal.user_id)
    assert user is not None
    secret = totp.new_secret()
    user.totp_pending_enc = box.seal(secret)
    session.add(user)
    return totp.provisioning_uri(secret, username=user.username)


def pending_totp_uri(session: Session, *, principal: Principal, box: SecretBox) -> str | None:
    """The provisioning URI of an enrolment in progress, if any."""
    user = session.get(User, principal.user_id)
    if user is None or user.totp_pending_enc is None:
        return None
    return totp.provisioning_uri(box.open(user.totp_pending_enc), username=user.username)


def confirm_totp(
    session: Session,
    *,
    principal: Principal,
    code: str,
    box: SecretBox,
    at: float,
    ip: str,
    enrol: bool,
) -> None:
    """Check a code: against the pending secret (``enrol``; it then replaces the old one) or the
    enrolled one (sign-in). Success marks the session as past the second factor; failures
    count toward lockout."""
    user = session.get(User, principal.user_id)
    assert user is not None
    enrolling = enrol
    sealed = user.totp_pending_enc if enrol else user.totp_secret_enc
    if sealed is None or (enrol and user.totp_enabled and not principal.fully_signed_in):
        # Enrolling a new device needs the old factor first.
        raise InvalidTotp()
    last = None if enrolling else user.totp_last_step
    step = totp.verify(box.open(sealed), code, last_step=last, at=at)
    if step is None:
        user.failed_logins += 1
        session.add(user)
        audit.record(session, actor=user.username, action="second-factor", outcome="failure", ip=ip)
        session.commit()
        raise InvalidTotp()
    if enrolling:
        user.totp_secret_enc = user.totp_pending_enc
        user.totp_pending_enc = None
    user.totp_enabled = True
    user.totp_last_step = step
    user.failed_logins = 0
    session.add(user)
    row = session.get(WebSession, principal.session_id)
    if row is not None:
        row.second_factor_passed = True
        session.add(row)
    audit.record(
        session,
        actor=user.username,
        action="totp-enrolled" if enrolling else "second-factor",
        ip=ip,
    )


def count_failures_since(session: Session, *, since: datetime) -> int:
    """Sign-in failures recorded since a time (for monitoring)."""
    from realtime.audit.models import AuditEntry

    rows = session.exec(
        select(AuditEntry.seq).where(
            col(AuditEntry.action) == "sign-in",
            col(AuditEntry.outcome) == "failure",
            col(AuditEntry.at) >= since,
        )
    ).all()
    return len(rows)
