"""Settings, health, metrics, migrations and the console command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from starlette.testclient import TestClient

from realtime import migrate
from realtime.auth.permissions import Role
from realtime.errors import ConfigurationError
from realtime.settings import Mode, load_settings
from scripts.traceability import ids_from_spec
from tests.support.app import BACKGROUND, add_user, make_app, make_settings, signin

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "REQUIREMENTS.md"


@pytest.mark.req("N-SEC-3", "N-SEC-6")
def test_production_mode_refuses_to_start_and_names_the_missing_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(mode=Mode.PRODUCTION, data_dir=tmp_path)
    missing = " ".join(info.value.missing)
    for name in (
        "MADOGUCHI_SECRET_KEY",
        "DATABASE_URL",
        "MADOGUCHI_ESL_PASSWORD",
        "MADOGUCHI_MEDIA_MASTER_KEY",
        "MADOGUCHI_PUBLIC_URL",
    ):
        assert name in missing


def test_production_mode_starts_with_real_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        mode=Mode.PRODUCTION,
        data_dir=tmp_path,
        secret_key="k" * 40,
        database_url="postgresql://db/madoguchi",
        esl_password="s3cret-esl",
        media_master_key="m" * 44,
        public_url="https://cc.example.jp",
    )
    assert settings.effective_cookie_secure


def test_settings_come_from_the_environment_when_the_app_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("MADOGUCHI_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.effective_database_url.endswith("env.sqlite3")
    assert settings.secret_key.get_secret_value()  # a per-installation dev secret


@pytest.mark.req("N-REL-1")
def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "monitor": "ok", **BACKGROUND}


@pytest.mark.req("N-REL-1")
def test_readyz_reports_a_database_that_does_not_answer(tmp_path: Path) -> None:
    from realtime.app import create_app

    dead = make_settings(tmp_path, database_url="postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(dead)) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not-ready",
        # The monitor keeps running (and alerting) while the database is down.
        "checks": {"database": "unavailable", "monitor": "ok", **BACKGROUND},
    }


@pytest.mark.req("N-SEC-4", "N-SEC-1")
def test_metrics_need_the_permission_or_the_scrape_token(tmp_path: Path) -> None:
    app = make_app(make_settings(tmp_path, metrics_token="scrape-token-123"))
    add_user(app, "op1", Role.OPERATOR)
    secret = pyotp.random_base32()
    add_user(app, "sec", Role.SECURITY_OFFICER, totp_secret=secret)
    with TestClient(app, base_url="http://testserver") as client:
        anonymous = client.get("/metrics", follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/signin?next=/metrics"
        token_ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-123"})
        assert token_ok.status_code == 200
        assert "madoguchi_rejections_total" in token_ok.text
        bad = client.get(
            "/metrics", headers={"Authorization": "Bearer wrong", "Accept": "application/json"}
        )
        assert bad.status_code == 401
        signin(client, "op1")
        assert client.get("/metrics", headers={"Accept": "application/json"}).status_code == 403
    with TestClient(app, base_url="http://testserver") as client:
        signin(client, "sec", totp_secret=secret)
        assert client.get("/metrics").status_code == 200


@pytest.mark.postgres
def test_migrate_brings_postgresql_to_the_current_schema(postgres_server: str) -> None:
    from tests.conftest import _fresh_pg_database

    url = _fresh_pg_database(postgres_server)
    migrate.upgrade(url)
    migrate.upgrade(url)  # idempotent
    assert migrate.current(url) == migrate.head() is not None


def test_the_console_command_runs_migrate_and_user_commands(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MADOGUCHI_DATA_DIR": str(tmp_path),
        "MADOGUCHI_NEW_PASSWORD": "Long-enough-pass-1",
    }
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "realtime.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cmd, *args], env=env, capture_output=True, text=True, cwd=ROOT, check=False
        )

    assert run("migrate").returncode == 0
    assert run("user", "add", "kato", "--name", "加藤", "--role", "scheduler").returncode == 0
    dup = run("user", "add", "kato", "--name", "加藤", "--role", "scheduler")
    assert dup.returncode == 1
    assert "conflict" in dup.stderr
    assert run("user", "add", "x", "--name", "x", "--role", "pilot").returncode == 2
    listed = run("user", "list", "--json")
    assert '"kato"' in listed.stdout
    assert '"scheduler"' in listed.stdout
    assert run("user", "disable", "kato").returncode == 0
    assert '"disabled": true' in run("user", "list", "--json").stdout
    assert run("audit", "verify").returncode == 0


@pytest.mark.skipif(not SPEC.exists(), reason="shared/spec is not beside this checkout")
def test_the_requirement_id_list_matches_the_spec() -> None:
    ids = (ROOT / "docs" / "requirement-ids.txt").read_text().split()
    assert ids == ids_from_spec(SPEC.read_text(encoding="utf-8"))


class _Recorder:
    def __init__(self, name: str, log: list[str], *, healthy: bool = True) -> None:
        self.name = name
        self.log = log
        self.healthy = healthy

    async def start(self) -> None:
        self.log.append(f"start {self.name}")

    async def stop(self) -> None:
        self.log.append(f"stop {self.name}")

    async def ready(self) -> None:
        if not self.healthy:
            raise ConnectionError("down")


@pytest.mark.req("N-REL-1")
def test_subsystems_start_in_order_report_readiness_and_stop_in_reverse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from realtime import app as app_module

    log: list[str] = []
    monkeypatch.setattr(
        app_module,
        "SUBSYSTEM_FACTORIES",
        [
            lambda ctx: _Recorder("switch", log),
            lambda ctx: None,  # a part its settings switch off
            lambda ctx: _Recorder("imap", log, healthy=False),
        ],
    )
    app = make_app(make_settings(tmp_path))
    with TestClient(app) as client:
        assert log == ["start switch", "start imap"]
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "ok", "switch": "ok", "imap": "unavailable"}
    assert log == ["start switch", "start imap", "stop imap", "stop switch"]


@pytest.mark.req("N-USE-1", "F-2.1.3")
def test_the_demo_loads_users_departments_and_faq_once(tmp_path: Path) -> None:
    from sqlmodel import func, select

    from crm.departments.models import Department
    from crm.faq.models import FaqEntry
    from realtime import demo
    from realtime.auth.models import User
    from realtime.db import Database

    settings = make_settings(tmp_path)
    migrate.upgrade(settings.effective_database_url)
    lines = demo.load(settings)
    demo.load(settings)  # idempotent
    assert any("Madoguchi-demo-2026" in line for line in lines)
    db = Database(settings.effective_database_url)
    with db.session() as session:
        count = {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (User, Department, FaqEntry)
        }
    db.dispose()
    assert count == {"User": len(demo.DEMO_USERS), "Department": 37, "FaqEntry": 200}
