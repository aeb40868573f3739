"""Persistence of patterns, contracts and schedules; every change is audited."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from realtime.audit import service as audit
from realtime.timeutil import JST, utcnow
from wfm.shifts.contracts import AgentContract
from wfm.shifts.errors import ScheduleNotFound, ShiftInputInvalid
from wfm.shifts.models import AgentContractRow, AssignmentRow, ScheduleRow, ShiftPatternRow
from wfm.shifts.patterns import ShiftKind, ShiftPattern
from wfm.shifts.solver import Requirement, ScheduleResult, Weights, solve_schedule


def _digits(days: frozenset[int]) -> str:
    return "".join(str(d) for d in sorted(days))


def _days(text: str) -> frozenset[int]:
    return frozenset(int(c) for c in text)


def pattern_of(row: ShiftPatternRow) -> ShiftPattern:
    """The pattern a row stores."""
    return ShiftPattern(
        code=row.code, kind=ShiftKind(row.kind), start_min=row.start_min, work_min=row.work_min,
        break_min=row.break_min, break_start_min=row.break_start_min,
    )  # fmt: skip


def contract_of(row: AgentContractRow) -> AgentContract:
    """The contract a row stores."""
    return AgentContract(
        agent_id=row.agent_id,
        kind=ShiftKind(row.kind),
        max_weekly_min=row.max_weekly_min,
        min_weekly_min=row.min_weekly_min,
        max_daily_min=row.max_daily_min,
        max_days_per_week=row.max_days_per_week,
        available_weekdays=_days(row.available_weekdays),
        earliest_start_min=row.earliest_start_min,
        latest_end_min=row.latest_end_min,
        preferred_rest_weekdays=_days(row.preferred_rest_weekdays),
        unavailable_days=frozenset(json.loads(row.unavailable_days)),
    )


def list_patterns(session: Session) -> list[ShiftPattern]:
    """Every stored pattern, by start then length."""
    rows = session.exec(select(ShiftPatternRow)).all()
    return sorted((pattern_of(r) for r in rows), key=lambda p: (p.start_min, p.work_min, p.code))


def save_patterns(session: Session, *, patterns: list[ShiftPattern], actor: str) -> None:
    """Insert or replace patterns (audited)."""
    now = utcnow()
    for p in patterns:
        row = session.get(ShiftPatternRow, p.code) or ShiftPatternRow(
            code=p.code, kind=p.kind.value, start_min=0, work_min=0, break_min=0,
            break_start_min=0, updated_at=now, updated_by=actor,
        )  # fmt: skip
        row.kind = p.kind.value
        row.start_min, row.work_min = p.start_min, p.work_min
        row.break_min, row.break_start_min = p.break_min, p.break_start_min
        row.updated_at, row.updated_by = now, actor
        session.add(row)
    codes = ",".join(p.code for p in patterns)[:200]
    audit.record(
        session, actor=actor, action="wfm.patterns.save", target=codes,
        detail={"count": len(patterns)},
    )  # fmt: skip


def delete_pattern(session: Session, *, code: str, actor: str) -> None:
    """Delete one pattern (audited); unknown codes raise ScheduleNotFound."""
    row = session.get(ShiftPatternRow, code)
    if row is None:
        raise ScheduleNotFound(code=code)
    session.delete(row)
    audit.record(session, actor=actor, action="wfm.pattern.delete", target=code)


def list_contracts(session: Session) -> list[AgentContract]:
    """Every stored contract, by agent."""
    rows = session.exec(select(AgentContractRow).order_by(col(AgentContractRow.agent_id))).all()
    return [contract_of(r) for r in rows]


def save_contract(session: Session, *, contract: AgentContract, actor: str) -> None:
    """Insert or replace one contract after checking it against the law (audited)."""
    contract.check()
    now = utcnow()
    row = session.get(AgentContractRow, contract.agent_id) or AgentContractRow(
        agent_id=contract.agent_id, kind="", max_weekly_min=0, min_weekly_min=0, max_daily_min=0,
        max_days_per_week=0, available_weekdays="", earliest_start_min=0, latest_end_min=0,
        preferred_rest_weekdays="", updated_at=now, updated_by=actor,
    )  # fmt: skip
    row.kind = contract.kind.value
    row.max_weekly_min, row.min_weekly_min = contract.max_weekly_min, contract.min_weekly_min
    row.max_daily_min, row.max_days_per_week = contract.max_daily_min, contract.max_days_per_week
    row.available_weekdays = _digits(contract.available_weekdays)
    row.earliest_start_min, row.latest_end_min = (
        contract.earliest_start_min,
        contract.latest_end_min,
    )
    row.preferred_rest_weekdays = _digits(contract.preferred_rest_weekdays)
    row.unavailable_days = json.dumps(sorted(contract.unavailable_days))
    row.updated_at, row.updated_by = now, actor
    session.add(row)
    audit.record(session, actor=actor, action="wfm.contract.save", target=contract.agent_id)


def delete_contract(session: Session, *, agent_id: str, actor: str) -> None:
    """Delete one contract (audited)."""
    row = session.get(AgentContractRow, agent_id)
    if row is None:
        raise ScheduleNotFound(agent_id=agent_id)
    session.delete(row)
    audit.record(session, actor=actor, action="wfm.contract.delete", target=agent_id)


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(), JST) + timedelta(minutes=minutes)


@dataclass(frozen=True)
class StoredSchedule:
    """A schedule row with its assignments."""

    row: ScheduleRow
    assignments: list[AssignmentRow]


def check_name(name: str) -> str:
    """A schedule name: 1-100 characters after trimming."""
    if not name.strip() or len(name.strip()) > 100:
        raise ShiftInputInvalid("シフト表の名前は 1〜100 文字です。", field="name", value=name)
    return name.strip()


def create_schedule(
    session: Session,
    *,
    name: str,
    requirement: Requirement,
    actor: str,
    weights: Weights = Weights(),
    time_limit_s: float = 20.0,
) -> tuple[str, ScheduleResult]:
    """Solve with the stored patterns and contracts and store the result (audited)."""
    name = check_name(name)
    result = solve_schedule(
        requirement=requirement,
        contracts=list_contracts(session),
        patterns=list_patterns(session),
        weights=weights,
        time_limit_s=time_limit_s,
    )
    return store_schedule(
        session, name=name, requirement=requirement, result=result, actor=actor
    ), result


def store_schedule(
    session: Session, *, name: str, requirement: Requirement, result: ScheduleResult, actor: str
) -> str:
    """Store a solved schedule and its assignments (audited); returns its id."""
    name = check_name(name)
    schedule_id = str(uuid.uuid4())
    per_day = requirement.per_day
    session.add(
        ScheduleRow(
            id=schedule_id, name=name.strip(), first_day=result.first_day,
            last_day=result.last_day, status=result.status, slot_min=requirement.slot_min,
            first_slot_min=requirement.first_slot_min, under_min=result.under_min,
            over_min=result.over_min,
            requirement=json.dumps({d.isoformat(): list(v) for d, v in per_day.items()}),
            warnings=json.dumps(list(result.warnings), ensure_ascii=False),
            created_at=utcnow(), created_by=actor,
        )
    )  # fmt: skip
    session.flush()
    for a in result.assignments:
        p = a.pattern
        session.add(
            AssignmentRow(
                schedule_id=schedule_id, agent_id=a.agent_id, day=a.day, pattern_code=p.code,
                start_at=_at(a.day, p.start_min), end_at=_at(a.day, p.end_min),
                break_start_at=_at(a.day, p.break_start_min) if p.break_min else None,
                break_end_at=_at(a.day, p.break_end_min) if p.break_min else None,
                work_min=p.work_min,
            )
        )  # fmt: skip
    audit.record(
        session, actor=actor, action="wfm.schedule.create", target=schedule_id,
        detail={"first_day": result.first_day.isoformat(), "last_day": result.last_day.isoformat(),
                "under_min": result.under_min, "over_min": result.over_min},
    )  # fmt: skip
    return schedule_id


def list_schedules(session: Session) -> list[ScheduleRow]:
    """Every schedule, newest first."""
    return list(session.exec(select(ScheduleRow).order_by(col(ScheduleRow.created_at).desc())))


def get_schedule(session: Session, *, schedule_id: str) -> StoredSchedule:
    """A schedule and its assignments; unknown ids raise ScheduleNotFound."""
    row = session.get(ScheduleRow, schedule_id)
    if row is None:
        raise ScheduleNotFound(schedule_id=schedule_id)
    rows = session.exec(
        select(AssignmentRow)
        .where(col(AssignmentRow.schedule_id) == schedule_id)
        .order_by(col(AssignmentRow.day), col(AssignmentRow.agent_id))
    ).all()
    return StoredSchedule(row, list(rows))


def assignments_on(session: Session, *, day: date) -> list[AssignmentRow]:
    """The day's shifts from the newest schedule that covers the day."""
    row = session.exec(
        select(ScheduleRow)
        .where(col(ScheduleRow.first_day) <= day, col(ScheduleRow.last_day) >= day)
        .order_by(col(ScheduleRow.created_at).desc())
    ).first()
    if row is None:
        return []
    return list(
        session.exec(
            select(AssignmentRow).where(
                col(AssignmentRow.schedule_id) == row.id, col(AssignmentRow.day) == day
            )
        )
    )
