"""Two server processes behind one database: Redis carries room emits from one to the other."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from realtime.auth.permissions import Role
from tests.conftest import _fresh_pg_database
from tests.realtime.live import HubClient, ServerProcess, serve_subprocess, server_env, sign_in
from tests.support.app import add_user, make_app, make_settings

SECRET = "multiprocess-secret-" + "y" * 40


def prepare_database(tmp_path: Path, database_url: str) -> None:
    """Migrate the shared database and add the people of the scenario."""
    app = make_app(make_settings(tmp_path / "setup", database_url=database_url))
    try:
        add_user(app, "op1", Role.OPERATOR)
        add_user(app, "lead1", Role.LEADER)
    finally:
        app.ctx.db.dispose()


def two_servers(
    tmp_path: Path, database_url: str, redis_url: str | None
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with ExitStack() as stack:
        pair = [
            stack.enter_context(
                serve_subprocess(
                    tmp_path / name,
                    server_env(
                        data_dir=tmp_path / name / "data",
                        database_url=database_url,
                        secret_key=SECRET,
                        redis_url=redis_url,
                    ),
                )
            )
            for name in ("a", "b")
        ]
        yield pair[0], pair[1]


async def announce_on_a_watch_b(
    a: ServerProcess, b: ServerProcess, texts: tuple[str, str]
) -> tuple[Any, list[Any]]:
    """An operator's desk on B; a leader announces on A, then on B. Returns what B's desk got:
    the first announcement event, and any others that had arrived by then."""
    operator = await sign_in(b.url, "op1")
    leader_a = await sign_in(a.url, "lead1")
    desk = HubClient(b.url, "/agent", cookie=operator.cookie_header)
    try:
        await desk.connect()
        snapshot = await desk.next("snapshot")
        assert snapshot["user"]["display_name"] == "op1 様"
        response = await leader_a.post_json("/api/announcements", {"text": texts[0]})
        assert response.status_code == 201, response.text
        # The same leader session, used through B (sessions live in the shared database).
        leader_a.http.base_url = b.url
        response = await leader_a.post_json("/api/announcements", {"text": texts[1]})
        assert response.status_code == 201, response.text
        first = await desk.next("announcement")
        return first, desk.pending("announcement")
    finally:
        await desk.close()
        await operator.aclose()
        await leader_a.aclose()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.req("N-PERF-2")
def test_announcement_posted_to_one_process_reaches_a_desk_on_another_through_redis(
    tmp_path: Path, postgres_server: str, redis_url: str
) -> None:
    database_url = _fresh_pg_database(postgres_server)
    prepare_database(tmp_path, database_url)
    for a, b in two_servers(tmp_path, database_url, redis_url):
        assert a.url != b.url
        first, others = asyncio.run(announce_on_a_watch_b(a, b, ("Aからのお知らせ", "Bから")))
        assert first["text"] == "Aからのお知らせ", (first, a.output(), b.output())
        assert first["author"] == "lead1"
        assert [o["text"] for o in others] in ([], ["Bから"])
        assert "Traceback" not in a.output() + b.output()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.req("N-PERF-2")
def test_without_redis_a_desk_on_another_process_hears_only_its_own_process(
    tmp_path: Path, postgres_server: str
) -> None:
    database_url = _fresh_pg_database(postgres_server)
    prepare_database(tmp_path, database_url)
    for a, b in two_servers(tmp_path, database_url, None):
        first, _others = asyncio.run(announce_on_a_watch_b(a, b, ("Aからのお知らせ", "Bから")))
        # B's own announcement (posted after A's had been stored and emitted) is the first
        # thing B's desk hears: A's emit had no way across.
        assert first["text"] == "Bから"
