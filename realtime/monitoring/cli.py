"""``madoguchi monitor alerts`` (open and recent alerts) and ``madoguchi monitor kpi --date``."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

from cms.kpi.settings import KpiSettings
from cms.live.day import day_figures
from realtime.db import Database
from realtime.monitoring import store
from realtime.monitoring.config import MonitorSettings
from realtime.settings import load_settings
from realtime.timeutil import utcnow


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``monitor`` command group."""
    p = sub.add_parser("monitor", help="alerts and live KPIs of the wallboard")
    g = p.add_subparsers(dest="monitor_command", required=True)
    a = g.add_parser("alerts", help="open alerts and those cleared in the last 12 hours (JSON)")
    a.set_defaults(handler=_alerts)
    k = g.add_parser("kpi", help="a day's wallboard figures and its 48 half hours (JSON)")
    k.add_argument("--date", required=True, help="YYYY-MM-DD (Japan time)")
    k.set_defaults(handler=_kpi)


def _db() -> Database:
    return Database(load_settings().effective_database_url)


def _alerts(args: argparse.Namespace) -> int:
    db = _db()
    try:
        with db.session() as session:
            rows = [store.public(a) for a in store.recent(session, now=utcnow())]
    finally:
        db.dispose()
    print(json.dumps({"alerts": rows}, ensure_ascii=False, indent=1))
    return 1 if any(r["open"] and r["severity"] == "critical" for r in rows) else 0


def _kpi(args: argparse.Namespace) -> int:
    settings = MonitorSettings()
    kpi = dataclasses.replace(KpiSettings(), answer_target_percent=settings.service_level_target)
    db = _db()
    try:
        with db.session() as session:
            result = day_figures(
                session,
                day=dt.date.fromisoformat(args.date),
                now=utcnow(),
                settings=kpi,
                near=dt.timedelta(hours=settings.items_near_hours),
                item_window=dt.timedelta(days=settings.item_window_days),
            )
    finally:
        db.dispose()
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args()
    raise SystemExit(ns.handler(ns))
