"""Import and look up the departments directory (used by transfers, forwarding and history)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from crm.departments.models import Department
from crm.faq.csvfile import ID_PATTERN, decode, normalised_id, read_rows, refuse_if_any
from crm.faq.exceptions import DepartmentNotFound, RowProblem
from crm.faq.normalize import normalise
from realtime.audit import service as audit
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow

COLUMNS = ("dept_id", "bu", "ka", "kakari", "extension", "handles")
_EXTENSION = re.compile(r"^[0-9][0-9\-]{0,31}$")
_LIMITS = {"bu": 64, "ka": 64, "kakari": 64, "handles": 2000}


@dataclass(frozen=True)
class DepartmentImport:
    """What an import changed."""

    created: int
    updated: int
    unchanged: int
    encoding: str


def _parse(data: bytes) -> tuple[list[Department], str]:
    text, encoding = decode(data)
    rows, problems = read_rows(text, columns=COLUMNS, encoding=encoding)
    seen: dict[str, int] = {}
    out: list[Department] = []
    now = utcnow()
    for row in rows:
        c = row.cells
        dept_id = normalised_id(c["dept_id"])
        before = len(problems)
        if not ID_PATTERN.match(dept_id):
            problems.append(
                RowProblem(
                    row.line, "部署IDは英数字32文字以内で入力してください。", dept_id, "dept_id"
                )
            )
        elif dept_id in seen:
            problems.append(
                RowProblem(
                    row.line, f"部署IDが {seen[dept_id]} 行目と重複しています。", dept_id, "dept_id"
                )
            )
        if not (c["ka"] or c["kakari"]):
            problems.append(RowProblem(row.line, "課または係を入力してください。", dept_id, "ka"))
        extension = normalised_id(c["extension"])
        if extension and not _EXTENSION.match(extension):
            problems.append(
                RowProblem(row.line, "内線番号は数字で入力してください。", dept_id, "extension")
            )
        for column, limit in _LIMITS.items():
            if len(c[column]) > limit:
                problems.append(
                    RowProblem(row.line, f"{limit}文字以内で入力してください。", dept_id, column)
                )
        seen.setdefault(dept_id, row.line)
        if len(problems) == before:
            out.append(
                Department(
                    dept_id=dept_id,
                    bu=c["bu"],
                    ka=c["ka"],
                    kakari=c["kakari"],
                    extension=extension,
                    handles=c["handles"],
                    updated_at=now,
                )
            )
    refuse_if_any(problems, encoding=encoding)
    return out, encoding


def import_csv(session: Session, *, data: bytes, actor: str, source: str = "") -> DepartmentImport:
    """Upsert every row of a departments CSV by dept_id; all or nothing; audited."""
    parsed, encoding = _parse(data)
    existing = {d.dept_id: d for d in session.exec(select(Department))}
    created = updated = unchanged = 0
    fields = ("bu", "ka", "kakari", "extension", "handles")
    for dept in parsed:
        old = existing.get(dept.dept_id)
        if old is None:
            session.add(dept)
            created += 1
        elif any(getattr(old, f) != getattr(dept, f) for f in fields):
            for f in fields:
                setattr(old, f, getattr(dept, f))
            old.updated_at = dept.updated_at
            session.add(old)
            updated += 1
        else:
            unchanged += 1
    result = DepartmentImport(created, updated, unchanged, encoding)
    audit.record(
        session,
        actor=actor,
        action="departments-imported",
        target=source,
        detail={"created": created, "updated": updated, "unchanged": unchanged},
    )
    session.flush()
    return result


def get(session: Session, *, dept_id: str) -> Department:
    """One department by id."""
    dept = session.get(Department, normalised_id(dept_id))
    if dept is None:
        raise DepartmentNotFound(dept_id=dept_id)
    return dept


def list_all(session: Session) -> list[Department]:
    """Every department in id order."""
    return list(session.exec(select(Department).order_by(col(Department.dept_id))))


def known_ids(session: Session) -> set[str]:
    """The ids of every department in the directory."""
    return set(session.exec(select(Department.dept_id)))


def find(session: Session, *, query: str, limit: int = 10) -> list[Department]:
    """Departments whose name or duties mention every word of ``query`` (width and kana
    insensitive), for choosing a transfer or forwarding destination."""
    words = normalise(query).split()[:8]
    if not words:
        return []
    found = []
    for dept in list_all(session):
        text = normalise(f"{dept.bu} {dept.ka} {dept.kakari} {dept.handles}")
        if all(w in text for w in words):
            found.append(dept)
    return found[: max(0, limit)]


def save_department(
    session: Session, *, dept_id: str, data: Mapping[str, Any], actor: str
) -> Department:
    """Create or change one department from the admin screen (field-level errors; audited)."""
    problems: dict[str, str] = {}
    key = normalised_id(dept_id)
    if not ID_PATTERN.match(key):
        problems["dept_id"] = "部署IDは英数字32文字以内で入力してください。"
    values: dict[str, str] = {}
    for name in ("bu", "ka", "kakari", "extension", "handles"):
        raw = data.get(name, "")
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            problems[name] = "文字列で入力してください。"
            raw = ""
        values[name] = raw.strip()
    if not (values["ka"] or values["kakari"]) and "ka" not in problems:
        problems["ka"] = "課または係を入力してください。"
    extension = normalised_id(values["extension"])
    if extension and not _EXTENSION.match(extension):
        problems["extension"] = "内線番号は数字で入力してください。"
    for column, limit in _LIMITS.items():
        if len(values[column]) > limit:
            problems[column] = f"{limit}文字以内で入力してください。"
    if problems:
        raise ValidationFailed(fields=problems)
    row = session.get(Department, key)
    created = row is None
    if row is None:
        row = Department(dept_id=key, updated_at=utcnow())
    row.bu, row.ka, row.kakari = values["bu"], values["ka"], values["kakari"]
    row.extension, row.handles = extension, values["handles"]
    row.updated_at = utcnow()
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="department-created" if created else "department-changed",
        target=key,
        detail={"name": row.display_name, "extension": extension},
    )
    session.flush()
    return row


def delete_department(session: Session, *, dept_id: str, actor: str) -> None:
    """Remove one department (FAQ entries naming it keep the id; audited)."""
    row = get(session, dept_id=dept_id)
    session.delete(row)
    audit.record(session, actor=actor, action="department-deleted", target=row.dept_id)
    session.flush()
