"""``madoguchi report monthly|annual|daily|privacy|refresh``, ``export csv|layout``,
``import csv``."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path

from realtime.errors import MadoguchiError

EXIT_INPUT = 2


def _month(text: str) -> tuple[int, int]:
    try:
        first = dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"月は YYYY-MM 形式で指定してください / use YYYY-MM: {text!r}"
        ) from None
    return first.year, first.month


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD 形式で指定してください / use YYYY-MM-DD: {text!r}"
        ) from None


def _url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    from realtime.settings import load_settings

    return load_settings(env_file=Path(".env")).effective_database_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report``, ``export`` and ``import`` command groups."""
    rep = sub.add_parser("report", help="operation reports: monthly/annual Excel, daily mail")
    rg = rep.add_subparsers(dest="report_command", required=True)
    mon = rg.add_parser("monthly", help="the monthly Excel workbook (詳細版, SLA, 別紙4)")
    mon.add_argument("--month", type=_month, required=True, help="YYYY-MM")
    mon.add_argument("--out", type=Path, required=True, help="FILE.xlsx")
    ann = rg.add_parser("annual", help="the fiscal-year (年度) or half-year workbook")
    ann.add_argument("--fiscal-year", type=int, required=True, help="e.g. 2026 = 2026-04..2027-03")
    ann.add_argument("--half", action="store_true", help="first half only (April–September)")
    ann.add_argument("--out", type=Path, required=True, help="FILE.xlsx")
    for p in (mon, ann):
        p.add_argument("--no-refresh", action="store_true", help="do not refresh the rollups")
        p.add_argument("--database-url", default=None)
        p.set_defaults(handler=_workbook)
    day = rg.add_parser("daily", help="the daily report: draft, approve, send")
    day.add_argument("action", choices=("draft", "approve", "send", "show"))
    day.add_argument("--date", type=_date, required=True, help="YYYY-MM-DD (JST)")
    day.add_argument("--actor", default="cli", help="user name recorded in the audit log")
    day.add_argument("--database-url", default=None)
    day.set_defaults(handler=_daily)
    priv = rg.add_parser(
        "privacy", help="個人情報特記事項の遵守に関する報告書（第11条、6か月ごと）の記録部分"
    )
    priv.add_argument("--from", dest="first", type=_date, required=True, help="YYYY-MM-DD (JST)")
    priv.add_argument("--to", dest="last", type=_date, required=True, help="YYYY-MM-DD (JST)")
    priv.add_argument("--out", type=Path, required=True, help="FILE.md")
    priv.add_argument("--database-url", default=None)
    priv.set_defaults(handler=_privacy)
    roll = rg.add_parser("refresh", help="roll up the closed days (incremental)")
    roll.add_argument("--database-url", default=None)
    roll.set_defaults(handler=_refresh)

    exp = sub.add_parser("export", help="export every table (N-DATA-1)")
    eg = exp.add_subparsers(dest="export_command", required=True)
    csv_out = eg.add_parser("csv", help="every table as CSV (UTF-8 with BOM)")
    csv_out.add_argument("--out", type=Path, required=True, help="a folder")
    csv_out.add_argument("--database-url", default=None)
    csv_out.set_defaults(handler=_export)
    lay = eg.add_parser("layout", help="write the CSV layout document (Markdown)")
    lay.add_argument("--out", type=Path, default=Path("docs/csv-layout.md"))
    lay.set_defaults(handler=_layout)

    imp = sub.add_parser("import", help="import an export into a new database")
    ig = imp.add_subparsers(dest="import_command", required=True)
    csv_in = ig.add_parser("csv", help="load a CSV export into an empty, migrated database")
    csv_in.add_argument("--src", type=Path, required=True, help="the export folder")
    csv_in.add_argument("--database-url", default=None)
    csv_in.set_defaults(handler=_import)


def _fail(exc: MadoguchiError) -> int:
    print(f"{exc.message} ({exc.error_id}: {exc.data})", file=sys.stderr)
    return EXIT_INPUT


def _workbook(args: argparse.Namespace) -> int:
    from cms.reports.periods import fiscal_span, month_span
    from cms.reports.rollup import refresh_rollups
    from cms.reports.workbook import make_workbook
    from realtime.db import Database

    try:
        if args.report_command == "monthly":
            span = month_span(*args.month)
        else:
            span = fiscal_span(args.fiscal_year, half=args.half)
        db = Database(_url(args))
        try:
            with db.session() as session:
                if not args.no_refresh:
                    refresh_rollups(session)
                result = make_workbook(session, span=span, out=args.out)
        finally:
            db.dispose()
    except MadoguchiError as exc:
        return _fail(exc)
    fs = result.facts
    state = "暫定" if fs.provisional else "確定"
    print(f"{args.out}: {span.title} {len(fs.facts)}件 ({state}, {fs.source})")
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from cms.reports.rollup import refresh_rollups
    from realtime.db import Database

    db = Database(_url(args))
    try:
        with db.session() as session:
            r = refresh_rollups(session)
    finally:
        db.dispose()
    print(f"closed until {r.closed_until.isoformat()}, seq {r.last_seq}, {r.contacts_refolded}")
    return 0


def _daily(args: argparse.Namespace) -> int:
    from cms.reports import daily
    from cms.reports.mail import compose
    from cms.reports.mailconfig import ReportMailSettings
    from realtime.db import Database

    try:
        db = Database(_url(args))
        try:
            with db.session() as session:
                if args.action == "draft":
                    row = daily.draft_daily(session, day=args.date, actor=args.actor)
                elif args.action == "approve":
                    row = daily.approve_daily(session, day=args.date, actor=args.actor)
                elif args.action == "send":
                    row = asyncio.run(
                        daily.send_daily(
                            session, day=args.date, actor=args.actor, mail=ReportMailSettings()
                        )
                    )
                else:
                    row = daily.get_daily(session, day=args.date)
                    msg = compose(row, daily.numbers_of(row), sender="report@localhost", to=[])
                    body = msg.get_body(("plain",))
                    print(body.get_content() if body is not None else "")
        finally:
            db.dispose()
    except MadoguchiError as exc:
        return _fail(exc)
    print(f"{row.day.isoformat()}: {row.state}")
    return 0


def _privacy(args: argparse.Namespace) -> int:
    from cms.reports import privacy
    from realtime.db import Database

    if args.last < args.first:
        print("期間の終わりが始まりより前です / --to is before --from", file=sys.stderr)
        return EXIT_INPUT
    db = Database(_url(args))
    try:
        with db.session() as session:
            report = privacy.build(session, first_day=args.first, last_day=args.last)
    finally:
        db.dispose()
    args.out.write_text(privacy.render(report), encoding="utf-8")
    print(f"{args.out}: {args.first}..{args.last}")
    return 0


def _export(args: argparse.Namespace) -> int:
    import realtime.models_index as index
    from cms.export.csvio import export_csv
    from realtime.db import create_db_engine

    engine = create_db_engine(_url(args))
    try:
        counts = export_csv(engine, out=args.out, tables_in_order=index.metadata.sorted_tables)
    finally:
        engine.dispose()
    print(f"{args.out}: {len(counts)} tables, {sum(c.rows for c in counts)} rows")
    return 0


def main_export(url: str, out: str) -> None:
    """Export every table of ``url`` to the folder ``out`` (used by bench/report_month.py)."""
    _export(argparse.Namespace(database_url=url, out=Path(out)))


def _import(args: argparse.Namespace) -> int:
    import realtime.models_index as index
    from cms.export.csvio import import_csv
    from realtime.db import create_db_engine

    engine = create_db_engine(_url(args))
    try:
        counts = import_csv(engine, src=args.src, tables_in_order=index.metadata.sorted_tables)
    except MadoguchiError as exc:
        return _fail(exc)
    finally:
        engine.dispose()
    print(f"{args.src}: {len(counts)} tables, {sum(c.rows for c in counts)} rows imported")
    return 0


def _layout(args: argparse.Namespace) -> int:
    import realtime.models_index as index
    from cms.export.layout import render_layout

    args.out.write_text(render_layout(index.metadata.sorted_tables), encoding="utf-8")
    print(args.out)
    return 0


if __name__ == "__main__":
    root = argparse.ArgumentParser(prog="madoguchi")
    register(root.add_subparsers(dest="command", required=True))
    parsed = root.parse_args()
    sys.exit(parsed.handler(parsed))
