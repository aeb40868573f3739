"""Admin changes to the call-path configuration: validated, stored, audited, live at once."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from realtime.audit import service as audit
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow
from switch.acd.errors import InvalidQueueConfig
from switch.acd.queues import validate_queues
from switch.calendar.errors import InvalidCalendarData
from switch.calendar.model import normalize_number
from switch.callpath import sounds
from switch.callpath.config import (
    CallPathConfig,
    line_hours,
    load_config,
    parse_choices,
    queue_of,
    week_json,
)
from switch.callpath.errors import UnknownConfig
from switch.callpath.fax import line_options
from switch.callpath.models import (
    CallpathAgent,
    CallpathEmergency,
    CallpathLine,
    CallpathNode,
    CallpathQueue,
    CallpathSound,
)

KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,31}$")
EXTENSION = re.compile(r"^[0-9]{2,8}$")


def _key(value: Any, name: str, problems: dict[str, str], *, limit: int = 32) -> str:
    text = value if isinstance(value, str) else ""
    if not KEY.match(text) or len(text) > limit:
        problems[name] = "英小文字・数字・_・- で32文字以内で指定してください。"
    return text


def _text(value: Any, name: str, problems: dict[str, str], *, limit: int = 100) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > limit:
        problems[name] = f"{limit}文字以内で入力してください。"
    return text


def _int(value: Any, name: str, problems: dict[str, str], *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems[name] = f"{low}〜{high}の整数で指定してください。"
        return low
    return value


def _seconds(value: Any, name: str, problems: dict[str, str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86400:
        problems[name] = "1秒以上の秒数で指定してください。"
        return None
    return float(value)


def _raise(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(fields=problems)


def _audit(
    session: Session, *, actor: str, action: str, target: str, detail: Mapping[str, Any]
) -> None:
    audit.record(session, actor=actor, action=action, target=target, detail=dict(detail))


def save_line(session: Session, *, data: Mapping[str, Any], actor: str) -> CallpathLine:
    """Create or change a line: number, name, hours, root menu."""
    problems: dict[str, str] = {}
    try:
        did = normalize_number(str(data.get("did", "")))
    except InvalidCalendarData:
        problems["did"] = "電話番号の形式が正しくありません。"
        did = ""
    name = _text(data.get("name_ja"), "name_ja", problems)
    root = data.get("root_node")
    if root is not None and not isinstance(root, str):
        problems["root_node"] = "メニューIDを指定してください。"
        root = None
    hours = data.get("hours") or {}
    if not isinstance(hours, dict):
        problems["hours"] = "受付時間の形式が正しくありません。"
        hours = {}
    _raise(problems)
    try:
        checked = line_hours(did, name, hours)
    except (ValueError, TypeError, InvalidCalendarData) as exc:
        raise ValidationFailed(
            fields={"hours": f"受付時間の形式が正しくありません: {exc}"[:200]}
        ) from None
    if root and session.get(CallpathNode, root) is None:
        raise ValidationFailed(fields={"root_node": "存在しないメニューです。"})
    kind, survey_percent = line_options(data)
    stored = {
        "live": week_json(checked.live),
        "switchboard": week_json(checked.switchboard),
        "intake": week_json(checked.intake),
        "holidays_close_live": checked.holidays_close_live,
        "holidays_close_switchboard": checked.holidays_close_switchboard,
        "holidays_close_intake": checked.holidays_close_intake,
    }
    row = session.get(CallpathLine, did) or CallpathLine(
        did=did, name_ja=name, updated_at=utcnow(), updated_by=actor
    )
    row.name_ja = name
    row.root_node = root or None
    row.hours = json.dumps(stored, ensure_ascii=False)
    row.kind, row.survey_percent = kind, survey_percent
    row.updated_at = utcnow()
    row.updated_by = actor
    session.add(row)
    _audit(
        session,
        actor=actor,
        action="callpath-line-saved",
        target=did,
        detail={"name": name, "root": root or "", "kind": kind, "survey": survey_percent},
    )
    session.commit()
    return row


def save_node(session: Session, *, data: Mapping[str, Any], actor: str) -> CallpathNode:
    """Create or change an IVR menu (its choices must lead to known menus and queues)."""
    problems: dict[str, str] = {}
    node_id = _key(data.get("node_id"), "node_id", problems)
    menu_key = _key(data.get("menu_key") or node_id, "menu_key", problems)
    label = _text(data.get("label_ja"), "label_ja", problems)
    prompt = _key(data.get("prompt_key"), "prompt_key", problems, limit=64)
    timeout = _int(data.get("timeout_ms", 5000), "timeout_ms", problems, low=1000, high=60000)
    retries = _int(data.get("retries", 3), "retries", problems, low=1, high=9)
    invalid = data.get("invalid_key") or ""
    failed = data.get("failed_key") or ""
    for name, value in (("invalid_key", invalid), ("failed_key", failed)):
        if value:
            _key(value, name, problems, limit=64)
    try:
        did = normalize_number(str(data.get("did", "")))
    except InvalidCalendarData:
        problems["did"] = "電話番号の形式が正しくありません。"
        did = ""
    try:
        choices = parse_choices(data.get("choices") or {})
    except ValueError as exc:
        problems["choices"] = f"選択肢の形式が正しくありません: {exc}"[:200]
        choices = {}
    _raise(problems)
    if session.get(CallpathLine, did) is None:
        raise ValidationFailed(
            fields={"did": "登録されていない番号です。先に回線を登録してください。"}
        )
    for digit, choice in choices.items():
        if choice.kind == "menu":
            if choice.target != node_id and session.get(CallpathNode, choice.target) is None:
                problems[f"choices.{digit}"] = "存在しないメニューです。"
        elif session.get(CallpathQueue, choice.target) is None:
            problems[f"choices.{digit}"] = "存在しない待ち行列です。"
    queue_id = data.get("queue_id") or None
    if queue_id is not None and (
        not isinstance(queue_id, str) or session.get(CallpathQueue, queue_id) is None
    ):
        problems["queue_id"] = "存在しない待ち行列です。"
    if queue_id is None and not choices:
        problems["choices"] = "選択肢か待ち行列のどちらかを指定してください。"
    _raise(problems)
    row = session.get(CallpathNode, node_id) or CallpathNode(
        node_id=node_id,
        did=did,
        menu_key=menu_key,
        label_ja=label,
        prompt_key=prompt,
        updated_at=utcnow(),
        updated_by=actor,
    )
    row.did, row.menu_key, row.label_ja, row.prompt_key = did, menu_key, label, prompt
    row.timeout_ms, row.retries, row.invalid_key, row.failed_key = timeout, retries, invalid, failed
    row.choices = json.dumps({d: {"kind": c.kind, "target": c.target} for d, c in choices.items()})
    row.faq_category = str(data.get("faq_category") or "")[:100]
    row.script_work_type = str(data.get("script_work_type") or "")[:64]
    row.queue_id = queue_id
    row.switchboard = bool(data.get("switchboard", False))
    row.updated_at, row.updated_by = utcnow(), actor
    session.add(row)
    _audit(
        session,
        actor=actor,
        action="callpath-menu-saved",
        target=node_id,
        detail={"did": did, "choices": row.choices},
    )
    session.commit()
    return row


def save_queue(session: Session, *, data: Mapping[str, Any], actor: str) -> CallpathQueue:
    """Create or change a queue; the whole set is checked (overflow targets, no loops)."""
    problems: dict[str, str] = {}
    queue_id = _key(data.get("queue_id"), "queue_id", problems)
    label = _text(data.get("label_ja"), "label_ja", problems)
    group = _key(data.get("skill_group"), "skill_group", problems)
    level = _int(data.get("min_level", 1), "min_level", problems, low=1, high=9)
    priority = _int(data.get("priority", 0), "priority", problems, low=-100, high=100)
    after = _seconds(data.get("overflow_after_s"), "overflow_after_s", problems)
    every = _seconds(data.get("announce_every_s", 60), "announce_every_s", problems)
    callback_after = _seconds(data.get("callback_after_s"), "callback_after_s", problems)
    target = data.get("overflow_to") or None
    if target is not None and not isinstance(target, str):
        problems["overflow_to"] = "待ち行列IDを指定してください。"
    if (target is None) != (after is None):
        problems["overflow_to"] = "あふれ先と待ち時間は両方指定してください。"
    _raise(problems)
    row = session.get(CallpathQueue, queue_id) or CallpathQueue(
        queue_id=queue_id, label_ja=label, skill_group=group, updated_at=utcnow(), updated_by=actor
    )
    row.label_ja, row.skill_group, row.min_level, row.priority = label, group, level, priority
    row.overflow_after_s, row.overflow_to, row.announce_every_s = after, target, every
    row.callback_after_s = callback_after
    row.updated_at, row.updated_by = utcnow(), actor
    others = [q for q in session.exec(select(CallpathQueue)) if q.queue_id != queue_id]
    try:
        validate_queues([*(queue_of(q) for q in others), queue_of(row)])
    except InvalidQueueConfig as exc:
        session.rollback()
        raise ValidationFailed(
            fields={
                "overflow_to": f"待ち行列の設定が正しくありません: {exc.data.get('problem', '')}"
            }
        ) from None
    session.add(row)
    _audit(
        session,
        actor=actor,
        action="callpath-queue-saved",
        target=queue_id,
        detail={"skill": group, "level": level, "overflow_to": target or ""},
    )
    session.commit()
    return row


def save_agent(session: Session, *, data: Mapping[str, Any], actor: str) -> CallpathAgent:
    """Set an agent's phone extension and skill groups with levels."""
    problems: dict[str, str] = {}
    username = data.get("username")
    if not isinstance(username, str) or not 1 <= len(username) <= 64:
        problems["username"] = "ユーザー名を指定してください。"
        username = ""
    extension = data.get("extension")
    if not isinstance(extension, str) or not EXTENSION.match(extension):
        problems["extension"] = "内線番号は2〜8桁の数字で指定してください。"
        extension = ""
    skills = data.get("skills") or {}
    if not isinstance(skills, dict) or not all(
        isinstance(k, str)
        and KEY.match(k)
        and isinstance(v, int)
        and not isinstance(v, bool)
        and 1 <= v <= 9
        for k, v in skills.items()
    ):
        problems["skills"] = "スキルグループごとに1〜9のレベルを指定してください。"
        skills = {}
    _raise(problems)
    row = session.get(CallpathAgent, username) or CallpathAgent(
        username=username, extension=extension, updated_at=utcnow(), updated_by=actor
    )
    row.extension = extension
    row.skills = json.dumps(skills, sort_keys=True)
    row.updated_at, row.updated_by = utcnow(), actor
    session.add(row)
    _audit(
        session,
        actor=actor,
        action="callpath-agent-saved",
        target=username,
        detail={"extension": extension, "skills": row.skills},
    )
    session.commit()
    return row


def set_emergency(session: Session, *, data: Mapping[str, Any], actor: str) -> CallpathEmergency:
    """Switch emergency operation on or off (N-BCP-1); effective for the next call, audited."""
    active = data.get("active")
    if not isinstance(active, bool):
        raise ValidationFailed(fields={"active": "true か false を指定してください。"})
    problems: dict[str, str] = {}
    message = data.get("message_key") or ""
    number = data.get("overflow_number") or None
    menu = data.get("menu_node") or None
    if active and not message:
        problems["message_key"] = "緊急時のガイダンスを選んでください。"
    elif message:
        _key(message, "message_key", problems, limit=64)
    if number is not None:
        try:
            number = normalize_number(str(number))
        except InvalidCalendarData:
            problems["overflow_number"] = "電話番号の形式が正しくありません。"
    if menu is not None and (not isinstance(menu, str) or session.get(CallpathNode, menu) is None):
        problems["menu_node"] = "存在しないメニューです。"
    _raise(problems)
    row = session.get(CallpathEmergency, 1) or CallpathEmergency(id=1)
    row.active = active
    row.message_key = str(message)
    row.overflow_number = number
    row.menu_node = menu
    row.changed_by = actor
    row.changed_at = utcnow()
    session.add(row)
    _audit(
        session,
        actor=actor,
        action="emergency-mode-on" if active else "emergency-mode-off",
        target="callpath",
        detail={
            "message_key": row.message_key,
            "overflow": "yes" if number else "no",
            "menu": menu or "",
        },
    )
    session.commit()
    return row


def save_sound(
    session: Session, *, key: str, label_ja: str, data: bytes, sounds_dir: Path, actor: str
) -> CallpathSound:
    """Check and convert an uploaded guidance recording, store it where FreeSWITCH plays it."""
    problems: dict[str, str] = {}
    _key(key, "sound_key", problems, limit=64)
    if len(label_ja) > 100:
        problems["label_ja"] = "100文字以内で入力してください。"
    _raise(problems)
    converted = sounds.convert(data)
    sounds_dir.mkdir(parents=True, exist_ok=True)
    file_name = f"{key}.wav"
    staging = sounds_dir / f".{file_name}.part"
    staging.write_bytes(converted.wav)
    staging.replace(sounds_dir / file_name)
    row = session.get(CallpathSound, key) or CallpathSound(
        sound_key=key,
        file_name=file_name,
        duration_s=0.0,
        source_rate=0,
        source_channels=0,
        uploaded_by=actor,
        uploaded_at=utcnow(),
    )
    row.label_ja = label_ja
    row.file_name = file_name
    row.duration_s = converted.duration_s
    row.source_rate = converted.source_rate
    row.source_channels = converted.source_channels
    row.uploaded_by, row.uploaded_at = actor, utcnow()
    session.add(row)
    _audit(
        session,
        actor=actor,
        action="guidance-uploaded",
        target=key,
        detail={"seconds": converted.duration_s, "rate": converted.source_rate},
    )
    session.commit()
    return row


def delete(session: Session, *, kind: str, key: str, actor: str) -> None:
    """Remove a line, menu, queue, agent or guidance entry (audited)."""
    model: Any = {
        "line": CallpathLine,
        "menu": CallpathNode,
        "queue": CallpathQueue,
        "agent": CallpathAgent,
        "sound": CallpathSound,
    }.get(kind)
    row = session.get(model, key) if model is not None else None
    if row is None:
        raise UnknownConfig(kind=kind, key=key)
    session.delete(row)
    _audit(session, actor=actor, action=f"callpath-{kind}-deleted", target=key, detail={})
    session.commit()


def config_json(session: Session) -> dict[str, Any]:
    """The whole configuration as the admin screens show it."""
    config: CallPathConfig = load_config(session)
    em = config.emergency
    return {
        "lines": [
            {
                "did": r.did,
                "name_ja": r.name_ja,
                "root_node": r.root_node,
                "hours": json.loads(r.hours),
                "kind": r.kind,
                "survey_percent": r.survey_percent,
            }
            for r in session.exec(select(CallpathLine))
        ],
        "menus": [
            {
                "node_id": n.node_id,
                "did": n.did,
                "menu_key": n.menu_key,
                "label_ja": n.label_ja,
                "prompt_key": n.prompt_key,
                "timeout_ms": n.timeout_ms,
                "retries": n.retries,
                "invalid_key": n.invalid_key,
                "failed_key": n.failed_key,
                "choices": {d: {"kind": c.kind, "target": c.target} for d, c in n.choices.items()},
                "faq_category": n.faq_category,
                "script_work_type": n.script_work_type,
            }
            for n in config.nodes.values()
        ],
        "queues": [
            {
                "queue_id": r.queue_id,
                "label_ja": r.label_ja,
                "skill_group": r.skill_group,
                "min_level": r.min_level,
                "priority": r.priority,
                "overflow_after_s": r.overflow_after_s,
                "overflow_to": r.overflow_to,
                "announce_every_s": r.announce_every_s,
                "callback_after_s": r.callback_after_s,
            }
            for r in session.exec(select(CallpathQueue))
        ],
        "agents": [
            {"username": a.username, "extension": a.extension, "skills": dict(a.skills)}
            for a in config.agents.values()
        ],
        "emergency": {
            "active": em.active,
            "message_key": em.message_key,
            "overflow_number": em.overflow_number,
            "menu_node": em.menu_node,
            "changed_by": em.changed_by,
            "changed_at": em.changed_at.isoformat() if em.changed_at else None,
        },
        "sounds": [
            {"sound_key": s.sound_key, "label_ja": s.label_ja, "duration_s": s.duration_s}
            for s in session.exec(select(CallpathSound))
        ],
    }
