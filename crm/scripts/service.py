"""Talk scripts (F-2.1.2): import from the city's CSV, edit by administrators (audited, F-2.1.7),
and the lookup behind the screen pop (F-2.1.1)."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crm.faq.csvfile import ID_PATTERN, decode
from crm.faq.exceptions import CsvImportFailed, RowProblem
from crm.interactions.locking import begin_write
from crm.scripts.models import TalkScript
from realtime.audit import service as audit
from realtime.errors import Conflict, MadoguchiError, ValidationFailed
from realtime.timeutil import utcnow

REQUIRED = ("script_id", "work_type", "title", "steps")
OPTIONAL = ("menu", "confirm_items", "handoff_criteria")
LIST_COLUMNS = ("steps", "confirm_items", "handoff_criteria")
SEPARATOR = re.compile(r"\s+/\s+")
MENU = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._\-]{0,31}$")
MAX_ITEMS = 50
MAX_ITEM_CHARS = 500
LIMITS = {"work_type": 64, "title": 200}


class ScriptNotFound(MadoguchiError):
    error_id = "talk-script-not-found"
    status_code = 404
    message_ja = "指定されたトークスクリプトが見つかりません。"

    def __init__(self, *, script_id: str) -> None:
        super().__init__(script_id=script_id[:64])


class ScriptChanged(Conflict):
    error_id = "talk-script-changed"
    message_ja = "他の管理者がこのトークスクリプトを先に更新しました。再読み込みしてください。"


@dataclass(frozen=True)
class ScriptView:
    """A script as the screen pop and the admin screen show it."""

    script_id: str
    work_type: str
    menu: str | None
    title: str
    steps: list[str]
    confirm_items: list[str]
    handoff_criteria: list[str]
    updated_at: datetime
    updated_by: str
    version: int

    def to_json(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["updated_at"] = self.updated_at.isoformat()
        return data


@dataclass(frozen=True)
class ScriptInput:
    """Validated content of one script."""

    work_type: str
    menu: str | None
    title: str
    steps: list[str]
    confirm_items: list[str] = field(default_factory=list)
    handoff_criteria: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScriptImport:
    """What an import changed."""

    created: int
    updated: int
    unchanged: int
    encoding: str


def split_items(text: str) -> list[str]:
    """Items written on one line, separated by " / " (slashes inside an item stay)."""
    return [part.strip() for part in SEPARATOR.split(text.strip()) if part.strip()]


def check_input(data: Mapping[str, Any]) -> ScriptInput:
    """A script body (API or CSV row) checked field by field, Japanese messages."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in ("work_type", "title"):
        raw = data.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            problems[name] = "入力してください。"
        elif len(text) > LIMITS[name]:
            problems[name] = f"{LIMITS[name]}文字以内で入力してください。"
        values[name] = text
    menu_raw = data.get("menu")
    menu = unicodedata.normalize("NFKC", menu_raw).strip() if isinstance(menu_raw, str) else ""
    if menu_raw is not None and not isinstance(menu_raw, str):
        problems["menu"] = "文字列で入力してください。"
    elif menu and not MENU.match(menu):
        problems["menu"] = "メニューは英数字で指定してください。"
    values["menu"] = menu or None
    for name in LIST_COLUMNS:
        raw = data.get(name)
        items: list[str]
        if raw is None:
            items = []
        elif isinstance(raw, str):
            items = split_items(raw)
        elif isinstance(raw, list) and all(isinstance(i, str) for i in raw):
            items = [i.strip() for i in raw if i.strip()]
        else:
            problems[name] = "文字列の一覧で入力してください。"
            items = []
        if len(items) > MAX_ITEMS:
            problems[name] = f"{MAX_ITEMS}項目以内にしてください。"
        elif any(len(i) > MAX_ITEM_CHARS for i in items):
            problems[name] = f"各項目は{MAX_ITEM_CHARS}文字以内にしてください。"
        values[name] = items
    if not values["steps"] and "steps" not in problems:
        problems["steps"] = "手順を1つ以上入力してください。"
    if problems:
        raise ValidationFailed(fields=problems)
    return ScriptInput(**values)


def parse_csv(data: bytes) -> tuple[dict[str, ScriptInput], str, frozenset[str]]:
    """Every row of a talk-script CSV (UTF-8 or Shift_JIS), or CsvImportFailed naming each
    problem; ``menu``, ``confirm_items`` and ``handoff_criteria`` columns are optional."""
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [unicodedata.normalize("NFKC", h).strip().lower() for h in next(reader)]
        rows = list(reader)
    except StopIteration:
        raise CsvImportFailed(
            problems=[RowProblem(1, "ファイルが空です。")], encoding=encoding
        ) from None
    except csv.Error as exc:
        raise CsvImportFailed(
            problems=[RowProblem(reader.line_num, f"CSVとして読めません: {exc}")], encoding=encoding
        ) from None
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in REQUIRED + OPTIONAL]
    if missing or unknown or len(set(header)) != len(header):
        detail = "必要な列: " + ", ".join(REQUIRED) + "（任意: " + ", ".join(OPTIONAL) + "）"
        raise CsvImportFailed(
            problems=[RowProblem(1, "見出し行が正しくありません。" + detail)], encoding=encoding
        )
    problems: list[RowProblem] = []
    parsed: dict[str, ScriptInput] = {}
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(RowProblem(offset, f"列の数が{len(header)}ではありません。"))
            continue
        row = {name: value.strip() for name, value in zip(header, cells, strict=True)}
        script_id = unicodedata.normalize("NFKC", row["script_id"]).strip()
        if not ID_PATTERN.match(script_id):
            problems.append(
                RowProblem(offset, "スクリプトIDは英数字32文字以内です。", script_id, "script_id")
            )
            continue
        if script_id in seen:
            problems.append(
                RowProblem(
                    offset, f"{seen[script_id]}行目とIDが重複しています。", script_id, "script_id"
                )
            )
            continue
        seen[script_id] = offset
        try:
            parsed[script_id] = check_input({k: row.get(k) for k in REQUIRED + OPTIONAL})
        except ValidationFailed as exc:
            problems.extend(
                RowProblem(offset, message, script_id, column)
                for column, message in exc.fields.items()
            )
    if not parsed and not problems:
        problems.append(RowProblem(2, "データ行がありません。"))
    if problems:
        raise CsvImportFailed(problems=problems, encoding=encoding)
    return parsed, encoding, frozenset(header)


def import_csv(session: Session, *, data: bytes, actor: str, source: str = "") -> ScriptImport:
    """Upsert every script of the file by script_id, all or nothing, audited. Optional columns
    the file lacks (menu, items to confirm, hand-off criteria) keep what administrators set."""
    parsed, encoding, columns = parse_csv(data)
    now = utcnow()
    begin_write(session, table="talk_script")
    existing = {s.script_id: s for s in session.exec(select(TalkScript))}
    created = updated = unchanged = 0
    for script_id, value in parsed.items():
        old = existing.get(script_id)
        if old is not None:
            value = ScriptInput(
                value.work_type,
                value.menu if "menu" in columns else old.menu,
                value.title,
                value.steps,
                value.confirm_items if "confirm_items" in columns else _loads(old.confirm_items),
                value.handoff_criteria
                if "handoff_criteria" in columns
                else _loads(old.handoff_criteria),
            )
        if old is None:
            session.add(_row(script_id, value, actor=actor, now=now))
            created += 1
        elif _content(old) != _content_of(value):
            _apply(old, value, actor=actor, now=now)
            session.add(old)
            updated += 1
        else:
            unchanged += 1
    audit.record(
        session,
        actor=actor,
        action="talk-scripts-imported",
        target=source[:255],
        detail={"created": created, "updated": updated, "unchanged": unchanged},
    )
    session.flush()
    return ScriptImport(created, updated, unchanged, encoding)


def save_script(
    session: Session,
    *,
    script_id: str,
    data: Mapping[str, Any],
    actor: str,
    expected_version: int | None = None,
) -> ScriptView:
    """Create or change one script (administrators, audited with the changed field names)."""
    script_id = unicodedata.normalize("NFKC", script_id).strip()
    if not ID_PATTERN.match(script_id):
        raise ValidationFailed(fields={"script_id": "スクリプトIDは英数字32文字以内です。"})
    value = check_input(data)
    now = utcnow()
    begin_write(session, table="talk_script")
    old = session.get(TalkScript, script_id, populate_existing=True)
    if old is None:
        if expected_version not in (None, 0):
            raise ScriptNotFound(script_id=script_id)
        row = _row(script_id, value, actor=actor, now=now)
        session.add(row)
        changed = sorted(_content_of(value))
        action = "talk-script-created"
    else:
        if expected_version is not None and expected_version != old.version:
            raise ScriptChanged(script_id=script_id, current=old.version)
        before = _content(old)
        after = _content_of(value)
        changed = sorted(k for k in after if before[k] != after[k])
        if not changed:
            return _view(old)
        _apply(old, value, actor=actor, now=now)
        session.add(old)
        row = old
        action = "talk-script-changed"
    audit.record(session, actor=actor, action=action, target=script_id, detail={"fields": changed})
    session.flush()
    return _view(row)


def get_script(session: Session, *, script_id: str) -> ScriptView:
    """One script."""
    row = session.get(TalkScript, script_id) if len(script_id) <= 32 else None
    if row is None:
        raise ScriptNotFound(script_id=script_id)
    return _view(row)


def list_scripts(session: Session) -> list[ScriptView]:
    """Every script in id order."""
    return [_view(s) for s in session.exec(select(TalkScript).order_by(col(TalkScript.script_id)))]


def script_for(
    session: Session, *, menu: str | None = None, work_type: str | None = None
) -> ScriptView | None:
    """The script for the screen pop: the menu's own script, else the work type's general one
    (a script with no menu), else any script of that work type; None when nothing fits."""
    if menu:
        stmt = select(TalkScript).where(col(TalkScript.menu) == _key(menu))
        found = session.exec(stmt.order_by(col(TalkScript.script_id))).first()
        if found is not None:
            return _view(found)
    if work_type:
        wanted = _key(work_type)
        candidates = [
            s
            for s in session.exec(select(TalkScript).order_by(col(TalkScript.script_id)))
            if _key(s.work_type) == wanted
        ]
        general = [s for s in candidates if s.menu is None]
        if general or candidates:
            return _view((general or candidates)[0])
    return None


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _loads(text: str) -> list[str]:
    value = json.loads(text)
    return [str(v) for v in value] if isinstance(value, list) else []


def _dumps(items: list[str]) -> str:
    return json.dumps(items, ensure_ascii=False)


def _content(row: TalkScript) -> dict[str, Any]:
    return {
        "work_type": row.work_type,
        "menu": row.menu,
        "title": row.title,
        "steps": _loads(row.steps),
        "confirm_items": _loads(row.confirm_items),
        "handoff_criteria": _loads(row.handoff_criteria),
    }


def _content_of(value: ScriptInput) -> dict[str, Any]:
    return {
        "work_type": value.work_type,
        "menu": value.menu,
        "title": value.title,
        "steps": value.steps,
        "confirm_items": value.confirm_items,
        "handoff_criteria": value.handoff_criteria,
    }


def _row(script_id: str, value: ScriptInput, *, actor: str, now: datetime) -> TalkScript:
    row = TalkScript(script_id=script_id, work_type="", title="", updated_at=now, version=0)
    _apply(row, value, actor=actor, now=now)
    return row


def _apply(row: TalkScript, value: ScriptInput, *, actor: str, now: datetime) -> None:
    row.work_type = value.work_type
    row.menu = value.menu
    row.title = value.title
    row.steps = _dumps(value.steps)
    row.confirm_items = _dumps(value.confirm_items)
    row.handoff_criteria = _dumps(value.handoff_criteria)
    row.updated_at = now
    row.updated_by = actor[:64]
    row.version += 1


def _view(row: TalkScript) -> ScriptView:
    return ScriptView(
        script_id=row.script_id,
        work_type=row.work_type,
        menu=row.menu,
        title=row.title,
        steps=_loads(row.steps),
        confirm_items=_loads(row.confirm_items),
        handoff_criteria=_loads(row.handoff_criteria),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        version=row.version,
    )
