"""Storing sorting rules (administrators; every change audited) and loading them to evaluate."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from inbox.sorting.models import SortRule
from inbox.sorting.patterns import compile_subject_pattern
from inbox.sorting.rules import Rule, RuleField, RuleInput, SortDecision, SortSubject, decide
from realtime.audit import service as audit
from realtime.errors import MadoguchiError
from realtime.timeutil import utcnow


class SortRuleNotFound(MadoguchiError):
    error_id = "sort-rule-not-found"
    status_code = 404
    message_ja = "振り分けルールが見つかりません。"

    def __init__(self, *, rule_id: int) -> None:
        super().__init__(rule_id=rule_id)
        self.rule_id = rule_id


@dataclass(frozen=True)
class RuleView:
    """A rule as the administrator sees it."""

    id: int
    name: str
    field: str
    pattern: str
    skill: str
    priority: int
    enabled: bool
    updated_at: datetime
    updated_by: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["updated_at"] = self.updated_at.isoformat()
        return data


def _view(row: SortRule) -> RuleView:
    assert row.id is not None
    return RuleView(
        row.id,
        row.name,
        row.field,
        row.pattern,
        row.skill,
        row.priority,
        row.enabled,
        row.updated_at,
        row.updated_by,
    )


def _detail(rule: RuleInput) -> dict[str, Any]:
    return {
        "name": rule.name,
        "field": rule.field.value,
        "pattern": rule.pattern,
        "skill": rule.skill,
        "priority": rule.priority,
        "enabled": rule.enabled,
    }


def list_rules(session: Session) -> list[RuleView]:
    """Every rule in evaluation order."""
    stmt = select(SortRule).order_by(col(SortRule.priority), col(SortRule.id))
    return [_view(r) for r in session.exec(stmt)]


def create_rule(session: Session, *, rule: RuleInput, actor: str) -> RuleView:
    """Add a rule (audited ``inbox-sort-rule-created``); commits."""
    row = SortRule(
        name=rule.name,
        priority=rule.priority,
        field=rule.field.value,
        pattern=rule.pattern,
        skill=rule.skill,
        enabled=rule.enabled,
        updated_at=utcnow(),
        updated_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="inbox-sort-rule-created",
        target=str(row.id),
        detail=_detail(rule),
    )
    session.commit()
    return _view(row)


def update_rule(session: Session, *, rule_id: int, rule: RuleInput, actor: str) -> RuleView:
    """Replace a rule (audited ``inbox-sort-rule-changed`` with before and after); commits."""
    row = session.get(SortRule, rule_id)
    if row is None:
        raise SortRuleNotFound(rule_id=rule_id)
    before = _view(row).to_json()
    row.name, row.priority, row.field = rule.name, rule.priority, rule.field.value
    row.pattern, row.skill, row.enabled = rule.pattern, rule.skill, rule.enabled
    row.updated_at, row.updated_by = utcnow(), actor
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="inbox-sort-rule-changed",
        target=str(rule_id),
        detail={"before": {k: before[k] for k in _detail(rule)}, "after": _detail(rule)},
    )
    session.commit()
    return _view(row)


def delete_rule(session: Session, *, rule_id: int, actor: str) -> None:
    """Remove a rule (audited ``inbox-sort-rule-deleted``); commits."""
    row = session.get(SortRule, rule_id)
    if row is None:
        raise SortRuleNotFound(rule_id=rule_id)
    gone = _view(row).to_json()
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="inbox-sort-rule-deleted",
        target=str(rule_id),
        detail={k: gone[k] for k in ("name", "field", "pattern", "skill", "priority")},
    )
    session.commit()


def active_rules(session: Session) -> list[Rule]:
    """The enabled rules, compiled, in evaluation order."""
    stmt = (
        select(SortRule)
        .where(col(SortRule.enabled).is_(True))
        .order_by(col(SortRule.priority), col(SortRule.id))
    )
    rules: list[Rule] = []
    for row in session.exec(stmt):
        assert row.id is not None
        field = RuleField(row.field)
        compiled = compile_subject_pattern(row.pattern) if field is RuleField.SUBJECT else None
        rules.append(Rule(row.id, row.name, field, row.pattern, row.skill, row.priority, compiled))
    return rules


def sort_item(session: Session, *, subject: SortSubject, default_skill: str = "") -> SortDecision:
    """Evaluate the stored rules for one item."""
    return decide(active_rules(session), subject, default_skill=default_skill)
