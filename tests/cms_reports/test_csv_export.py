from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

import realtime.models_index as index
from cms.export.csvio import ImportTargetNotEmpty, export_csv, import_csv
from cms.export.layout import column_meaning, render_layout
from cms.service import append_many
from realtime import migrate
from realtime.audit.service import record, verify
from realtime.auth.models import User, UserRole
from realtime.db import create_db_engine
from tests.cms_kpi.builders import standard_day
from tests.conftest import _fresh_pg_database

REPO = Path(__file__).resolve().parents[2]
TABLES = index.metadata.sorted_tables


def _second_url(request: pytest.FixtureRequest, url: str, tmp_path: Path) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    return _fresh_pg_database(request.getfixturevalue("postgres_server"))


def _fill(url: str) -> None:
    engine = create_db_engine(url)
    with Session(engine) as s:
        append_many(s, events=standard_day().events)
        user = User(
            username="sv1",
            display_name='監督 一郎, "SV"\n2行目',
            password_hash="$argon2id$x",
            totp_secret_enc="\\Nenc",
            locked_until=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        s.add(user)
        s.flush()
        s.add(UserRole(user_id=user.id or 0, role="supervisor"))
        record(s, actor="sv1", action="report.test", detail={"k": "値"})
        s.commit()
    engine.dispose()


@pytest.mark.req("N-DATA-1")
def test_export_import_into_empty_database_then_export_again_gives_identical_files(
    database_url, tmp_path, request
):
    migrate.upgrade(database_url)
    _fill(database_url)
    first = tmp_path / "first"
    engine = create_db_engine(database_url)
    counts = {c.table: c.rows for c in export_csv(engine, out=first, tables_in_order=TABLES)}
    engine.dispose()
    assert counts["contact_event"] == len(standard_day().events)
    assert counts["app_user"] == 1
    assert counts["audit_entry"] == 1
    raw = (first / "contact_event.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    target = _second_url(request, database_url, tmp_path)
    migrate.upgrade(target)
    restored = create_db_engine(target)
    import_csv(restored, src=first, tables_in_order=TABLES)
    second = tmp_path / "second"
    export_csv(restored, out=second, tables_in_order=TABLES)
    with Session(restored) as s:
        assert verify(s).ok
        s.add(User(username="new", display_name="n", password_hash="h"))  # sequences moved on
        s.commit()
    with pytest.raises(ImportTargetNotEmpty):
        import_csv(restored, src=first, tables_in_order=TABLES)
    restored.dispose()
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) == len(TABLES) + 1
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.req("N-DATA-1")
def test_layout_document_is_current_and_every_column_has_a_meaning():
    for table in TABLES:
        for column in table.columns:
            assert column_meaning(table.name, column.name), f"{table.name}.{column.name}"
    assert (REPO / "docs" / "csv-layout.md").read_text(encoding="utf-8") == render_layout(TABLES)


@pytest.mark.req("N-DATA-1")
def test_cli_export_csv_writes_every_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url)
    _fill(url)
    out = tmp_path / "out"
    code = (
        "import argparse,sys;from cms.reports_cli import register;"
        "p=argparse.ArgumentParser();register(p.add_subparsers(dest='c',required=True));"
        "a=p.parse_args(sys.argv[1:]);sys.exit(a.handler(a))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "export", "csv", "--out", str(out), "--database-url", url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert {p.stem for p in out.glob("*.csv")} == {t.name for t in TABLES} | {"manifest"}
