"""The core subcommands: serve, migrate, user, audit, events."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session

from realtime.settings import Settings, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    return load_settings(env_file=Path(".env"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None, help="0 picks a free port")
    serve.add_argument(
        "--port-file", type=Path, default=None, help="write the bound URL here once listening"
    )
    serve.set_defaults(handler=_serve)

    demo = sub.add_parser("demo", help="migrate, load demo users and data, and serve")
    demo.add_argument("--host", default=None)
    demo.add_argument("--port", type=int, default=None)
    demo.add_argument("--port-file", type=Path, default=None)
    demo.add_argument("--no-serve", action="store_true", help="load the demo data and stop")
    demo.set_defaults(handler=_demo)

    migrate = sub.add_parser("migrate", help="bring DATABASE_URL to the current schema")
    migrate.set_defaults(handler=_migrate)

    user = sub.add_parser("user", help="manage users")
    ug = user.add_subparsers(dest="user_command", required=True)
    add = ug.add_parser("add", help="add a user (password from MADOGUCHI_NEW_PASSWORD or prompt)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        dest="roles",
        help="role (repeatable): operator, leader, supervisor, center_manager, "
        "scheduler, qa_monitor, system_admin, security_officer, city_staff",
    )
    add.set_defaults(handler=_user_add)
    ls = ug.add_parser("list", help="list users")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=_user_list)
    dis = ug.add_parser("disable", help="disable a user and end their sessions")
    dis.add_argument("username")
    dis.set_defaults(handler=_user_disable)

    aud = sub.add_parser("audit", help="the tamper-evident audit log")
    ag = aud.add_subparsers(dest="audit_command", required=True)
    ver = ag.add_parser("verify", help="check the hash chain; exit 1 naming the first bad entry")
    ver.add_argument("--head", type=Path, default=None, help="a head exported earlier")
    ver.set_defaults(handler=_audit_verify)
    head = ag.add_parser("head", help="print the current head (keep it somewhere else)")
    head.add_argument("--out", type=Path, default=None)
    head.set_defaults(handler=_audit_head)

    ev = sub.add_parser("events", help="the contact event log")
    eg = ev.add_subparsers(dest="events_command", required=True)
    doc = eg.add_parser("doc", help="print docs/events.md generated from the catalogue")
    doc.set_defaults(handler=_events_doc)


def _serve(args: argparse.Namespace) -> int:
    from realtime.server import serve

    settings = _settings()
    return serve(settings, host=args.host, port=args.port, port_file=args.port_file)


def _demo(args: argparse.Namespace) -> int:
    from realtime import demo, migrate
    from realtime.server import serve

    # The demo runs on the FreeSWITCH stand-in with scripted citizens calling (unless set).
    os.environ.setdefault("MADOGUCHI_SWITCH_MODE", "standin")
    os.environ.setdefault("MADOGUCHI_DEMO_TRAFFIC_PER_HOUR", "30")
    settings = _settings()
    migrate.upgrade(settings.effective_database_url)
    lines = demo.load(settings)
    if args.no_serve:
        print("\n".join(lines))
        return 0
    return serve(settings, host=args.host, port=args.port, port_file=args.port_file, banner=lines)


def _migrate(_args: argparse.Namespace) -> int:
    from realtime import migrate

    settings = _settings()
    migrate.upgrade(settings.effective_database_url)
    print(f"database at revision {migrate.current(settings.effective_database_url)}")
    return 0


def _with_session(fn: Callable[[Session], T]) -> T:
    from realtime.db import Database

    db = Database(_settings().effective_database_url)
    try:
        with db.session() as session:
            return fn(session)
    finally:
        db.dispose()


def _user_add(args: argparse.Namespace) -> int:
    from realtime.auth import service as auth
    from realtime.auth.permissions import Role
    from realtime.errors import MadoguchiError

    password = os.environ.get("MADOGUCHI_NEW_PASSWORD")
    if password is None:
        password = getpass.getpass("パスワード: ")
    try:
        roles = [Role(r) for r in args.roles]
        _with_session(
            lambda s: auth.create_user(
                s,
                username=args.username,
                display_name=args.name,
                password=password,
                roles=roles,
                actor=f"cli:{getpass.getuser()}",
                must_change_password=True,
            )
        )
    except ValueError as exc:
        print(f"error: unknown role ({exc})", file=sys.stderr)
        return 2
    except MadoguchiError as exc:
        print(f"error: {exc.error_id}: {exc.message} {exc.data.get('fields', '')}", file=sys.stderr)
        return 1
    print(f"user {args.username} added")
    return 0


def _user_list(args: argparse.Namespace) -> int:
    from realtime.auth import service as auth

    rows: list[dict[str, Any]] = _with_session(
        lambda s: [
            {
                "username": u.username,
                "display_name": u.display_name,
                "roles": sorted(r.value for r in roles),
                "disabled": u.disabled,
                "totp": u.totp_enabled,
            }
            for u, roles in auth.list_users(s)
        ]
    )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            state = "disabled" if r["disabled"] else "active"
            print(f"{r['username']:<20} {state:<9} {','.join(r['roles']):<40} {r['display_name']}")
    return 0


def _user_disable(args: argparse.Namespace) -> int:
    from realtime.auth import service as auth
    from realtime.errors import NotFound

    try:
        _with_session(
            lambda s: auth.disable_user(s, username=args.username, actor=f"cli:{getpass.getuser()}")
        )
    except NotFound:
        print(f"error: no user {args.username}", file=sys.stderr)
        return 1
    print(f"user {args.username} disabled")
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    from realtime.audit import service as audit

    head = audit.HeadRef.from_json(args.head.read_text()) if args.head else None
    result = _with_session(lambda s: audit.verify(s, expected_head=head))
    if result.ok:
        print(f"audit log OK: {result.checked} entries")
        return 0
    print(
        f"audit log BROKEN at entry {result.first_bad_seq}: {result.reason} "
        f"({result.checked} entries verified before it)",
        file=sys.stderr,
    )
    return 1


def _audit_head(args: argparse.Namespace) -> int:
    from realtime.audit import service as audit

    head = _with_session(lambda s: audit.current_head(s))
    text = head.to_json()
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    return 0


def _events_doc(_args: argparse.Namespace) -> int:
    from cms.eventdoc import render

    sys.stdout.write(render())
    return 0
