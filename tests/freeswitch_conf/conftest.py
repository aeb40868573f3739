"""The repository's freeswitch-conf/, pre-processed with a production-like environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.freeswitch_conf.dialplan_eval import Dialplan
from tests.freeswitch_conf.fsxml import Preprocessed, preprocess

CONF_DIR = Path(__file__).resolve().parents[2] / "freeswitch-conf"

ENV = {
    "MADOGUCHI_ESL_PASSWORD": "esl-Zr7wq2-test",
    "MADOGUCHI_CARRIER_PROXY": "sip.carrier.example.jp",
    "MADOGUCHI_CARRIER_CIDR": "192.0.2.0/24",
    "MADOGUCHI_CARRIER_USERNAME": "0339811111",
    "MADOGUCHI_CARRIER_PASSWORD": "carrier-Pw-test",
    "MADOGUCHI_CARRIER_REGISTER": "true",
    "MADOGUCHI_AGENT_SIP_PASSWORD": "agent-Pw-test",
    "MADOGUCHI_PUBLIC_SIP_IP": "203.0.113.10",
    "MADOGUCHI_REMOTE_SITE_NUMBER": "0662001234",
    "MADOGUCHI_DEGRADED_MODE": "guidance",
}


@pytest.fixture(scope="session")
def conf_dir() -> Path:
    return CONF_DIR


@pytest.fixture(scope="session")
def loaded() -> Preprocessed:
    return preprocess(CONF_DIR / "freeswitch.xml", env=ENV)


def make_dialplan(env: dict[str, str]) -> Dialplan:
    pre = preprocess(CONF_DIR / "freeswitch.xml", env=env)
    return Dialplan(pre.parse(), global_variables=pre.globals)


@pytest.fixture(scope="session")
def dialplan() -> Dialplan:
    return make_dialplan(ENV)
