"""The same call scenarios against the real FreeSWITCH of compose.yaml, with SIPp as the carrier.

Needs a Docker engine with the compose plugin; skipped (with the reason) where ``docker info``
fails, as on CI. The stack runs under its own project name, on its own subnet, with no host
ports published and fresh random secrets, and is removed afterwards. Only the freeswitch
service is started: with no Madoguchi server on 127.0.0.1:8084, voice calls must take the
degraded-mode path (N-BCP-2), which is what these tests prove on the real switch.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = "/sipp"
TIMEOUT = 240


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        probe = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


if not _docker_available():
    pytest.skip("no Docker engine: `docker info` failed", allow_module_level=True)

pytestmark = pytest.mark.slow

OVERRIDE = """\
services:
  freeswitch:
    ports: !reset []
  app:
    ports: !reset []
"""


@dataclass
class Stack:
    """A running compose project: how to run commands in it."""

    base: list[str]
    esl_password: str

    def compose(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=TIMEOUT, check=check
        )

    def fs_cli(
        self, command: str, *, password: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        pw = self.esl_password if password is None else password
        return self.compose("exec", "-T", "freeswitch", "fs_cli", "-p", pw, "-x", command)

    def sipp(self, scenario: str, service: str) -> subprocess.CompletedProcess[str]:
        return self.compose(
            "--profile",
            "sipp",
            "run",
            "--rm",
            "sipp",
            "-sf",
            f"{SCENARIOS}/{scenario}",
            "-s",
            service,
            "-m",
            "1",
            "-timeout",
            "90s",
            "-timeout_error",
            "-trace_err",
            "freeswitch:5080",
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("compose")
    subnet = f"172.28.{secrets.randbelow(200) + 41}.0/24"
    esl_password = secrets.token_urlsafe(18)
    env = {
        "POSTGRES_PASSWORD": secrets.token_urlsafe(18),
        "MADOGUCHI_SECRET_KEY": secrets.token_urlsafe(32),
        "MADOGUCHI_PUBLIC_URL": "https://madoguchi.test",
        "MADOGUCHI_ESL_PASSWORD": esl_password,
        "MADOGUCHI_MEDIA_MASTER_KEY": secrets.token_urlsafe(32),
        "MADOGUCHI_AGENT_SIP_PASSWORD": secrets.token_urlsafe(18),
        "MADOGUCHI_DOCKER_SUBNET": subnet,
        "MADOGUCHI_CARRIER_CIDR": subnet,
        "MADOGUCHI_DEGRADED_MODE": "guidance",
    }
    env_file = work / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    override = work / "compose.test.yaml"
    override.write_text(OVERRIDE, encoding="utf-8")
    project = "madoguchi-fs-" + secrets.token_hex(4)
    base = [
        "docker",
        "compose",
        "--project-directory",
        str(REPO),
        "-f",
        str(REPO / "compose.yaml"),
        "-f",
        str(override),
        "-p",
        project,
        "--env-file",
        str(env_file),
    ]
    running = Stack(base, esl_password)
    up = running.compose("up", "-d", "--wait", "freeswitch")
    try:
        assert up.returncode == 0, up.stderr + running.compose("logs", "freeswitch").stdout
        yield running
    finally:
        running.compose("down", "-v", "--remove-orphans")


@pytest.mark.req("F-1.1.1")
def test_event_socket_takes_the_password_from_the_environment(stack: Stack):
    ok = stack.fs_cli("status")
    assert ok.returncode == 0, ok.stderr
    assert "UP" in ok.stdout
    refused = stack.fs_cli("status", password="ClueCon")
    assert "UP" not in refused.stdout


@pytest.mark.req("F-1.1.1")
def test_event_socket_is_not_reachable_on_the_container_address(stack: Stack):
    probe = stack.compose(
        "exec",
        "-T",
        "freeswitch",
        "sh",
        "-c",
        f'fs_cli -H "$(hostname -i | cut -d" " -f1)" -p "{stack.esl_password}" -x status',
    )
    assert "UP" not in probe.stdout


@pytest.mark.req("F-1.1.1", "F-1.5.1")
@pytest.mark.parametrize(
    "module",
    [
        "mod_sofia",
        "mod_event_socket",
        "mod_dptools",
        "mod_commands",
        "mod_spandsp",
        "mod_conference",
        "mod_sndfile",
        "mod_opus",
        "mod_local_stream",
    ],
)
def test_required_modules_are_loaded(stack: Stack, module: str):
    result = stack.fs_cli(f"module_exists {module}")
    assert result.stdout.strip() == "true", result.stdout + result.stderr


@pytest.mark.req("F-1.1.1")
def test_both_sip_profiles_run_with_wss_for_agents(stack: Stack):
    status = stack.fs_cli("sofia status")
    assert "external" in status.stdout
    assert "internal" in status.stdout
    internal = stack.fs_cli("sofia status profile internal")
    assert "WSS-BIND-URL" in internal.stdout


@pytest.mark.req("F-1.1.1", "N-BCP-2", "F-1.2.1")
@pytest.mark.parametrize("did", ["0339811111", "+81339811111", "0345662466", "81345662466"])
def test_voice_did_is_answered_by_degraded_guidance_without_our_server(stack: Stack, did: str):
    run = stack.sipp("uac_answered_then_bye.xml", did)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("did", ["0312345678", "0339811112", "degraded"])
def test_unknown_did_is_rejected_with_404(stack: Stack, did: str):
    run = stack.sipp("uac_rejected_404.xml", did)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
