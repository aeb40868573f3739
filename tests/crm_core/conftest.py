"""Fixtures for the CRM core tests: migrated databases (SQLite and PostgreSQL), a small FAQ and
departments directory, and an app with signed-in users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from crm.departments import service as departments
from crm.faq import service as faq
from realtime import migrate
from realtime.auth.permissions import Role
from realtime.db import Database
from tests.support.app import add_user, make_app, make_settings, signin

DEPARTMENTS_CSV = """dept_id,bu,ka,kakari,extension,handles
D01,区民部,区民課,住民記録係,2101,転入・転出
D02,区民部,区民課,証明係,2102,住民票の写し・印鑑登録証明書
D10,保健福祉部,国保年金課,資格係,2301,国民健康保険の加入・脱退
""".encode()

FAQ_CSV = """faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff
F0001,住民票・印鑑登録,住民票,住民票の写しは？,区民課証明係で取得できます。,D02,住民票 写し,no
F0004,住民票・印鑑登録,コンビニ交付,コンビニで取れますか？,カードで取得できます。,D02,コンビニ,no
F0061,国民健康保険,加入・脱退,国保の加入手続きは？,資格係で手続きします。,D10,国保 加入,yes
""".encode()

CLEAN_ANSWER = "住民票の写しは区民課証明係で取得できるとご案内しました。手数料は1通300円です。"
PERSONAL_ANSWER = (
    "山田太郎様から住民票の問い合わせ。折り返し先 090-1234-5678、メール taro@example.jp、"
    "東京都豊島区南池袋2丁目45番1号"
)
SECRET_NUMBER = "090-1234-5678"
SECRET_DIGITS = "09012345678"


def seed(database: Database) -> None:
    """The small departments directory and FAQ."""
    with database.session() as session:
        departments.import_csv(session, data=DEPARTMENTS_CSV, actor="test")
        faq.import_csv(session, data=FAQ_CSV, actor="test")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated, seeded database on SQLite and on PostgreSQL."""
    migrate.upgrade(database_url)
    database = Database(database_url)
    seed(database)
    yield database
    database.dispose()


@pytest.fixture
def web(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """The whole app on a seeded database (SQLite and PostgreSQL)."""
    app = make_app(make_settings(tmp_path, database_url))
    seed(app.ctx.db)
    yield app
    app.ctx.db.dispose()


@pytest.fixture
def agent(web: Any) -> Iterator[tuple[TestClient, str]]:
    """An operator signed in: the client and its CSRF token."""
    add_user(web, "op1", Role.OPERATOR)
    with TestClient(web, base_url="http://testserver") as client:
        yield client, signin(client, "op1")


@pytest.fixture
def city(web: Any) -> Iterator[tuple[TestClient, str]]:
    """A city staff member signed in."""
    add_user(web, "city1", Role.CITY_STAFF)
    with TestClient(web, base_url="http://testserver") as client:
        yield client, signin(client, "city1")
