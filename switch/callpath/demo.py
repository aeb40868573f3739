"""The demo call-path configuration: the main line's menu, the COVID-19 line, queues, skills.

``load_demo(session)`` is idempotent (it fills only an empty configuration) and is meant to be
called by ``realtime/demo.py`` after the demo users and knowledge are loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from crm.scripts import service as scripts
from crm.scripts.models import TalkScript
from switch.calendar.model import COVID_DID, MAIN_DID
from switch.callpath import service
from switch.callpath.models import CallpathLine

ACTOR = "demo"
FAX_DID = "0339811280"
"""The demo ward's fax number (as in freeswitch-conf)."""
DEMO_SCRIPTS = Path(__file__).resolve().parents[2] / "realtime" / "demo_data" / "talk_scripts.csv"

EVERY_DAY_LIVE = [[["08:00", "19:00"]] for _ in range(7)]
WEEKDAY_SWITCHBOARD = [[["08:30", "17:15"]] if d < 5 else [] for d in range(7)]
HOURS = {"live": EVERY_DAY_LIVE, "switchboard": WEEKDAY_SWITCHBOARD}

QUEUES: list[dict[str, Any]] = [
    {"queue_id": "q_general", "label_ja": "総合案内", "skill_group": "general"},
    *[
        {
            "queue_id": f"q_{key}",
            "label_ja": label,
            "skill_group": key,
            "min_level": 1,
            "overflow_after_s": 120,
            "overflow_to": "q_general",
            "announce_every_s": 60,
        }
        for key, label in (
            ("juminhyo", "住民票・戸籍"),
            ("tax", "税金"),
            ("kokuho", "国民健康保険・年金"),
            ("kosodate", "子育て"),
        )
    ],
    {"queue_id": "q_switchboard", "label_ja": "交換", "skill_group": "switchboard"},
    {"queue_id": "q_covid", "label_ja": "新型コロナ相談", "skill_group": "covid", "priority": 1},
]

# (node id, label, FAQ 大分類, talk-script work type, queue)
LEAVES = [
    (
        "juminhyo",
        "住民票・戸籍",
        "住民票・印鑑登録・マイナンバーカード",
        "代表・総合案内",
        "q_juminhyo",
    ),
    ("tax", "税金", "税金", "税", "q_tax"),
    ("kokuho", "国民健康保険・年金", "国民健康保険・国民年金・後期高齢者医療", "国保", "q_kokuho"),
    ("kosodate", "子育て", "子育て", "子育て", "q_kosodate"),
]

AGENTS = [
    {
        "username": "op1",
        "extension": "1001",
        "skills": {"juminhyo": 3, "tax": 2, "general": 1, "switchboard": 2, "covid": 1},
    },
    {
        "username": "op2",
        "extension": "1002",
        "skills": {"kokuho": 3, "kosodate": 2, "tax": 1, "general": 1, "covid": 2},
    },
]


def load_demo(session: Session) -> bool:
    """Fill an empty call-path configuration with the demo one; False when one exists."""
    if session.exec(select(CallpathLine.did).limit(1)).first() is not None:
        return False
    for queue in QUEUES:
        service.save_queue(session, data=queue, actor=ACTOR)
    for did, name in (
        (MAIN_DID, "区代表（コールセンター）"),
        (COVID_DID, "新型コロナ相談専用ダイヤル"),
    ):
        service.save_line(session, data={"did": did, "name_ja": name, "hours": HOURS}, actor=ACTOR)
    for node_id, label, faq_category, work_type, queue_id in LEAVES:
        service.save_node(
            session,
            data={
                "node_id": node_id,
                "did": MAIN_DID,
                "label_ja": label,
                "prompt_key": f"menu_{node_id}",
                "queue_id": queue_id,
                "faq_category": faq_category,
                "script_work_type": work_type,
            },
            actor=ACTOR,
        )
    service.save_node(
        session,
        data={
            "node_id": "switchboard",
            "did": MAIN_DID,
            "label_ja": "交換（担当課へのおつなぎ）",
            "prompt_key": "menu_switchboard",
            "queue_id": "q_switchboard",
            "switchboard": True,
            "script_work_type": "交換(取次ぎ)",
        },
        actor=ACTOR,
    )
    service.save_node(
        session,
        data={
            "node_id": "main",
            "did": MAIN_DID,
            "label_ja": "区代表メニュー",
            "prompt_key": "menu_main",
            "invalid_key": "menu_invalid",
            "failed_key": "guidance_failed",
            "timeout_ms": 5000,
            "retries": 3,
            "choices": {
                "1": {"kind": "menu", "target": "juminhyo"},
                "2": {"kind": "menu", "target": "tax"},
                "3": {"kind": "menu", "target": "kokuho"},
                "4": {"kind": "menu", "target": "kosodate"},
                "9": {"kind": "menu", "target": "switchboard"},
            },
        },
        actor=ACTOR,
    )
    service.save_node(
        session,
        data={
            "node_id": "covid",
            "did": COVID_DID,
            "label_ja": "新型コロナ相談",
            "prompt_key": "menu_covid",
            "queue_id": "q_covid",
            "faq_category": "健康",
            "script_work_type": "新型コロナ専用",
        },
        actor=ACTOR,
    )
    for did, root in ((MAIN_DID, "main"), (COVID_DID, "covid")):
        line = session.get(CallpathLine, did)
        assert line is not None
        service.save_line(
            session,
            data={"did": did, "name_ja": line.name_ja, "hours": HOURS, "root_node": root},
            actor=ACTOR,
        )
    # The fax number (freeswitch-conf/dialplan/public.xml runs rxfax for it): a fax line, so its
    # calls go to the fax intake instead of being logged as calls to an unconfigured number.
    service.save_line(
        session,
        data={"did": FAX_DID, "name_ja": "FAX", "hours": HOURS, "kind": "fax"},
        actor=ACTOR,
    )
    for profile in AGENTS:
        service.save_agent(session, data=profile, actor=ACTOR)
    if (
        DEMO_SCRIPTS.exists()
        and session.exec(select(TalkScript.script_id).limit(1)).first() is None
    ):
        scripts.import_csv(
            session,
            data=DEMO_SCRIPTS.read_bytes(),
            actor=ACTOR,
            source="demo_data/talk_scripts.csv",
        )
    return True
