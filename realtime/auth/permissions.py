"""Roles, permissions, and the rule that anything undeclared is denied.

Every HTTP route and every Socket.IO event names the one :class:`Permission` it needs (or
:data:`PUBLIC`). The app refuses to start with a route that declares nothing, and a test walks
every route and event for every role.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    """The center's roles (spec 表3-2) plus city staff."""

    OPERATOR = "operator"
    LEADER = "leader"
    SUPERVISOR = "supervisor"
    CENTER_MANAGER = "center_manager"
    SCHEDULER = "scheduler"
    QA_MONITOR = "qa_monitor"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_OFFICER = "security_officer"
    CITY_STAFF = "city_staff"


ROLE_LABELS_JA: Final[dict[Role, str]] = {
    Role.OPERATOR: "オペレーター",
    Role.LEADER: "リーダー",
    Role.SUPERVISOR: "スーパーバイザー",
    Role.CENTER_MANAGER: "センター長",
    Role.SCHEDULER: "スケジューラー",
    Role.QA_MONITOR: "品質モニタリング担当",
    Role.SYSTEM_ADMIN: "システム管理者",
    Role.SECURITY_OFFICER: "セキュリティ責任者",
    Role.CITY_STAFF: "区職員（閲覧）",
}


class Permission(StrEnum):
    """What a route or event may require."""

    ACCOUNT_SELF = "account.self"  # own password, own second factor, own home page
    DESK_USE = "desk.use"  # take contacts, record interaction history
    WALLBOARD_VIEW = "wallboard.view"
    CALLS_SUPERVISE = "calls.supervise"  # listen, whisper, barge, force states
    ANNOUNCE = "announcements.send"
    EMERGENCY_SWITCH = "emergency.switch"
    HISTORY_READ = "history.read"
    REPORTS_VIEW = "reports.view"
    WFM_MANAGE = "wfm.manage"
    QA_EVALUATE = "qa.evaluate"
    USERS_MANAGE = "admin.users"
    SETTINGS_MANAGE = "admin.settings"  # every 設定変更 item of the spec
    AUDIT_READ = "audit.read"
    METRICS_READ = "metrics.read"
    RECORDINGS_LISTEN = "recordings.listen"  # search and play (agents: their own calls only)
    RECORDINGS_DOWNLOAD = "recordings.download"  # save a recording as a file
    RECORDINGS_MANAGE = "recordings.manage"  # hold, manual deletion with a reason, transcribe


class _Public:
    """Marker for routes anyone may reach without signing in (sign-in page, health, assets)."""

    value = "public"

    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC: Final = _Public()

Requirement = Permission | _Public

_EVERYONE = {Permission.ACCOUNT_SELF}

ROLE_PERMISSIONS: Final[dict[Role, frozenset[Permission]]] = {
    Role.OPERATOR: frozenset(
        _EVERYONE | {Permission.DESK_USE, Permission.HISTORY_READ, Permission.RECORDINGS_LISTEN}
    ),
    Role.LEADER: frozenset(
        _EVERYONE
        | {
            Permission.DESK_USE,
            Permission.HISTORY_READ,
            Permission.WALLBOARD_VIEW,
            Permission.ANNOUNCE,
            Permission.RECORDINGS_LISTEN,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _EVERYONE
        | {
            Permission.DESK_USE,
            Permission.HISTORY_READ,
            Permission.WALLBOARD_VIEW,
            Permission.ANNOUNCE,
            Permission.CALLS_SUPERVISE,
            Permission.EMERGENCY_SWITCH,
            Permission.REPORTS_VIEW,
            Permission.QA_EVALUATE,
            Permission.RECORDINGS_LISTEN,
            Permission.RECORDINGS_DOWNLOAD,
            Permission.RECORDINGS_MANAGE,
        }
    ),
    Role.CENTER_MANAGER: frozenset(
        _EVERYONE
        | {
            Permission.HISTORY_READ,
            Permission.WALLBOARD_VIEW,
            Permission.ANNOUNCE,
            Permission.CALLS_SUPERVISE,
            Permission.EMERGENCY_SWITCH,
            Permission.REPORTS_VIEW,
            Permission.WFM_MANAGE,
            Permission.QA_EVALUATE,
            Permission.RECORDINGS_LISTEN,
            Permission.RECORDINGS_DOWNLOAD,
            Permission.RECORDINGS_MANAGE,
        }
    ),
    Role.SCHEDULER: frozenset(_EVERYONE | {Permission.WFM_MANAGE, Permission.REPORTS_VIEW}),
    Role.QA_MONITOR: frozenset(
        _EVERYONE | {Permission.QA_EVALUATE, Permission.HISTORY_READ, Permission.RECORDINGS_LISTEN}
    ),
    Role.SYSTEM_ADMIN: frozenset(
        _EVERYONE
        | {
            Permission.USERS_MANAGE,
            Permission.SETTINGS_MANAGE,
            Permission.EMERGENCY_SWITCH,
            Permission.AUDIT_READ,
            Permission.METRICS_READ,
            Permission.RECORDINGS_MANAGE,
        }
    ),
    Role.SECURITY_OFFICER: frozenset(_EVERYONE | {Permission.AUDIT_READ, Permission.METRICS_READ}),
    Role.CITY_STAFF: frozenset(_EVERYONE | {Permission.HISTORY_READ, Permission.REPORTS_VIEW}),
}

# Roles that must pass a TOTP second factor before any permission applies.
SECOND_FACTOR_ROLES: Final[frozenset[Role]] = frozenset(
    {Role.SUPERVISOR, Role.CENTER_MANAGER, Role.SYSTEM_ADMIN, Role.SECURITY_OFFICER}
)


def permissions_for(roles: Iterable[Role]) -> frozenset[Permission]:
    """The union of the permissions of the given roles."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def needs_second_factor(roles: Iterable[Role]) -> bool:
    """Whether any of the roles requires TOTP."""
    return any(role in SECOND_FACTOR_ROLES for role in roles)
