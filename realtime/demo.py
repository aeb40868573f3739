"""Demo users for the embedded default: one per role, with passwords printed at start."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from crm.departments import service as departments
from crm.departments.models import Department
from crm.faq import service as faq
from crm.faq.models import FaqEntry
from realtime.auth import service as auth
from realtime.auth.models import User
from realtime.auth.permissions import ROLE_LABELS_JA, Role, needs_second_factor
from realtime.db import Database
from realtime.settings import Settings
from switch.callpath import demo as callpath_demo

DEMO_PASSWORD = "Madoguchi-demo-2026"  # noqa: S105  (demo only; refused in production)

DEMO_USERS: list[tuple[str, str, Role]] = [
    ("op1", "青木 オペレーター", Role.OPERATOR),
    ("op2", "石井 オペレーター", Role.OPERATOR),
    ("leader", "上田 リーダー", Role.LEADER),
    ("sv", "江藤 スーパーバイザー", Role.SUPERVISOR),
    ("manager", "小川 センター長", Role.CENTER_MANAGER),
    ("scheduler", "加藤 スケジューラー", Role.SCHEDULER),
    ("qa", "木村 品質担当", Role.QA_MONITOR),
    ("admin", "工藤 システム管理者", Role.SYSTEM_ADMIN),
    ("security", "佐藤 セキュリティ責任者", Role.SECURITY_OFFICER),
    ("city", "区役所 職員", Role.CITY_STAFF),
]


DEMO_DATA = Path(__file__).parent / "demo_data"


def load(settings: Settings) -> list[str]:
    """Create the demo users that are missing and load the demo knowledge (departments first,
    then the FAQ, which refers to them); return the sign-in lines to print."""
    if settings.is_production:
        raise RuntimeError("demo data is never loaded in production mode")
    db = Database(settings.effective_database_url)
    try:
        with db.session() as session:
            existing = set(session.exec(select(User.username)))
            for username, name, role in DEMO_USERS:
                if username not in existing:
                    auth.create_user(
                        session,
                        username=username,
                        display_name=name,
                        password=DEMO_PASSWORD,
                        roles=[role],
                        actor="demo",
                    )
        with db.session() as session:
            if not session.exec(select(Department.dept_id).limit(1)).first():
                departments.import_csv(
                    session,
                    data=(DEMO_DATA / "departments.csv").read_bytes(),
                    actor="demo",
                    source="demo_data/departments.csv",
                )
        with db.session() as session:
            if not session.exec(select(FaqEntry.faq_id).limit(1)).first():
                faq.import_csv(
                    session,
                    data=(DEMO_DATA / "faq.csv").read_bytes(),
                    actor="demo",
                    source="demo_data/faq.csv",
                )
        with db.session() as session:
            # Lines, IVR menus, queues, agent skills and talk scripts; fills only an empty setup.
            callpath_demo.load_demo(session)
    finally:
        db.dispose()
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    for username, _name, role in DEMO_USERS:
        note = "  (TOTP enrolment on first sign-in)" if needs_second_factor([role]) else ""
        lines.append(f"  {username:<10} {ROLE_LABELS_JA[role]}{note}")
    if settings.switch_mode == "standin":
        lines.append("")
        lines.append("Phones: the FreeSWITCH stand-in runs in the server (no SIP client needed).")
        if settings.demo_traffic_per_hour > 0:
            lines.append(
                f"Scripted citizens call about {settings.demo_traffic_per_hour:g} times an hour:"
                " sign in as op1, press 受付可 (Alt+1) and wait for the pop."
            )
    return lines
