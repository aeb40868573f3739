"""Import and look up the departments directory (used by transfers, forwarding and history)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from crm.departments.models import Department
from crm.faq.csvfile import ID_PATTERN, decode, normalised_id, read_rows, refuse_if_any
from crm.faq.exceptions import DepartmentNotFound, RowProblem
from crm.faq.normalize import normalise
from realtime.audit import service as audit
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
