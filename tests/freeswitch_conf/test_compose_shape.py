"""compose.yaml runs the production-like shape with a pinned FreeSWITCH 1.10 beside the app."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML comes with uvicorn[standard]

COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    found = loaded["services"]
    assert isinstance(found, dict)
    return found


@pytest.mark.req("F-1.1.1")
def test_all_four_services_with_pinned_public_images(services: dict[str, Any]):
    assert {"freeswitch", "app", "postgres", "redis"} <= set(services)
    image = services["freeswitch"]["image"]
    assert re.fullmatch(r"[\w./-]+:1\.10\.\d+", image), image
    for name in ("postgres", "redis", "sipp"):
        repository, _, tag = services[name]["image"].rpartition(":")
        assert repository, name
        assert tag not in {"", "latest"}, name


@pytest.mark.req("F-1.1.1")
def test_freeswitch_mounts_this_configuration_read_only(services: dict[str, Any]):
    assert "./freeswitch-conf:/etc/freeswitch:ro" in services["freeswitch"]["volumes"]


@pytest.mark.req("F-1.1.1", "N-BCP-2")
def test_app_shares_loopback_with_freeswitch_and_knows_the_sockets(services: dict[str, Any]):
    app = services["app"]
    assert app["network_mode"] == "service:freeswitch"
    env = app["environment"]
    assert env["MADOGUCHI_ESL_HOST"] == "127.0.0.1"
    assert env["MADOGUCHI_OUTBOUND_SOCKET"] == "127.0.0.1:8084"
    assert "ports" not in app
    assert "127.0.0.1:8000:8000" in services["freeswitch"]["ports"]


def test_secrets_are_required_not_defaulted(services: dict[str, Any]):
    env = services["freeswitch"]["environment"]
    for name in ("MADOGUCHI_ESL_PASSWORD", "MADOGUCHI_AGENT_SIP_PASSWORD"):
        assert env[name] == f"${{{name}:?set {name}}}"
    assert env["MADOGUCHI_ESL_PASSWORD"] == services["app"]["environment"]["MADOGUCHI_ESL_PASSWORD"]


def test_sipp_caller_only_runs_on_request(services: dict[str, Any]):
    assert services["sipp"]["profiles"] == ["sipp"]
    assert "./tests/freeswitch/sipp:/sipp:ro" in services["sipp"]["volumes"]
