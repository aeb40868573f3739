"""QA forms and evaluations; agents see their own evaluations, QA roles see everyone's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crm.pii.guard import ensure_no_personal_data
from mediastore.qa.models import QaCriterion, QaEvaluation, QaForm, QaScore
from mediastore.recordings.service import Viewer, get_visible
from realtime.audit import service as audit
from realtime.errors import ValidationFailed
from realtime.timeutil import JST, utcnow

MAX_CRITERIA = 50
MAX_SCORE = 100


def _form_json(form: QaForm, criteria: list[QaCriterion]) -> dict[str, Any]:
    return {
        "id": form.id,
        "name": form.name,
        "active": form.active,
        "criteria": [
            {"id": c.id, "position": c.position, "label": c.label, "max_score": c.max_score}
            for c in sorted(criteria, key=lambda c: c.position)
        ],
        "max_total": sum(c.max_score for c in criteria),
    }


def create_form(
    session: Session, *, name: str, criteria: list[Mapping[str, Any]], actor: str
) -> dict[str, Any]:
    """A new form with its criteria (label and maximum score each); audited."""
    name = name.strip()
    problems: dict[str, str] = {}
    if not name or len(name) > 100:
        problems["name"] = "シート名を100文字以内で入力してください。"
    elif session.exec(select(QaForm).where(QaForm.name == name)).first() is not None:
        problems["name"] = "同じ名前のシートがあります。"
    if not criteria or len(criteria) > MAX_CRITERIA:
        problems["criteria"] = f"評価項目を1〜{MAX_CRITERIA}件指定してください。"
    parsed: list[tuple[str, int]] = []
    for index, item in enumerate(criteria[:MAX_CRITERIA], start=1):
        label = str(item.get("label", "")).strip() if isinstance(item, Mapping) else ""
        top = item.get("max_score") if isinstance(item, Mapping) else None
        if not label or len(label) > 200:
            problems[f"criteria.{index}.label"] = "項目名を200文字以内で入力してください。"
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_SCORE:
            problems[f"criteria.{index}.max_score"] = f"満点は1〜{MAX_SCORE}の整数です。"
        else:
            parsed.append((label, top))
    if problems:
        raise ValidationFailed(fields=problems)
    form = QaForm(name=name, created_by=actor, created_at=utcnow())
    session.add(form)
    session.flush()
    rows = [
        QaCriterion(form_id=form.id or 0, position=i, label=label, max_score=top)
        for i, (label, top) in enumerate(parsed, start=1)
    ]
    session.add_all(rows)
    session.flush()
    audit.record(
        session, actor=actor, action="qa.form.create", target=str(form.id), detail={"name": name}
    )
    return _form_json(form, rows)


def list_forms(session: Session) -> list[dict[str, Any]]:
    """Every form with its criteria."""
    forms = session.exec(select(QaForm).order_by(col(QaForm.id))).all()
    criteria = session.exec(select(QaCriterion)).all()
    by_form: dict[int, list[QaCriterion]] = defaultdict(list)
    for c in criteria:
        by_form[c.form_id].append(c)
    return [_form_json(f, by_form[f.id or 0]) for f in forms]


def evaluate(
    session: Session,
    *,
    viewer: Viewer,
    recording_id: str,
    form_id: int,
    scores: Mapping[str, Any],
    comments: Mapping[str, Any],
    comment: str,
) -> dict[str, Any]:
    """Score every criterion of the form for the recording's agent; audited."""
    recording = get_visible(session, viewer=viewer, recording_id=recording_id)
    form = session.get(QaForm, form_id)
    if form is None or not form.active:
        raise ValidationFailed(fields={"form_id": "有効な評価シートを指定してください。"})
    criteria = session.exec(select(QaCriterion).where(QaCriterion.form_id == form_id)).all()
    problems: dict[str, str] = {}
    given: list[tuple[QaCriterion, int, str]] = []
    for criterion in criteria:
        key = str(criterion.id)
        value = scores.get(key)
        note = str(comments.get(key) or "")
        if isinstance(value, bool) or not isinstance(value, int):
            problems[f"scores.{key}"] = "点数を整数で入力してください。"
        elif not 0 <= value <= criterion.max_score:
            problems[f"scores.{key}"] = f"0〜{criterion.max_score}点で入力してください。"
        elif len(note) > 500:
            problems[f"comments.{key}"] = "コメントは500文字以内で入力してください。"
        else:
            given.append((criterion, value, note))
    known = {str(c.id) for c in criteria}
    for key in scores:
        if key not in known:
            problems[f"scores.{key}"[:64]] = "このシートにない項目です。"
    if len(comment) > 4000:
        problems["comment"] = "コメントは4000文字以内で入力してください。"
    if problems:
        raise ValidationFailed(fields=problems)
    # Evaluators write about a citizen's call: the notes keep no personal data (N-PRIV-3).
    notes = {"comment": comment} | {f"comments.{c.id}": n for c, _v, n in given}
    ensure_no_personal_data(fields=notes)
    evaluation = QaEvaluation(
        recording_id=recording.id,
        form_id=form_id,
        agent=recording.agent,
        evaluator=viewer.username,
        evaluated_at=utcnow(),
        call_started_at=recording.started_at,
        total=sum(v for _, v, _ in given),
        max_total=sum(c.max_score for c in criteria),
        comment=comment,
    )
    session.add(evaluation)
    session.flush()
    session.add_all(
        QaScore(evaluation_id=evaluation.id or 0, criterion_id=c.id or 0, score=v, comment=n)
        for c, v, n in given
    )
    session.flush()
    audit.record(
        session,
        actor=viewer.username,
        action="qa.evaluate",
        target=recording.id,
        detail={"evaluation": evaluation.id, "agent": recording.agent, "total": evaluation.total},
    )
    return _evaluation_json(evaluation, list(session.exec(_scores_of([evaluation.id or 0]))))


def _scores_of(ids: list[int]) -> Any:
    return select(QaScore).where(col(QaScore.evaluation_id).in_(ids))


def _evaluation_json(evaluation: QaEvaluation, scores: list[QaScore]) -> dict[str, Any]:
    return {
        "id": evaluation.id,
        "recording_id": evaluation.recording_id,
        "form_id": evaluation.form_id,
        "agent": evaluation.agent,
        "evaluator": evaluation.evaluator,
        "evaluated_at": evaluation.evaluated_at.isoformat(),
        "call_started_at": evaluation.call_started_at.isoformat(),
        "total": evaluation.total,
        "max_total": evaluation.max_total,
        "percent": _percent(evaluation.total, evaluation.max_total),
        "comment": evaluation.comment,
        "scores": [
            {"criterion_id": s.criterion_id, "score": s.score, "comment": s.comment}
            for s in sorted(scores, key=lambda s: s.criterion_id)
        ],
    }


def _percent(total: int, top: int) -> float:
    return round(100.0 * total / top, 1) if top else 0.0


def _visible(
    session: Session,
    *,
    viewer: Viewer,
    agent: str | None,
    start: datetime | None,
    end: datetime | None,
) -> list[QaEvaluation]:
    query = select(QaEvaluation)
    if not viewer.sees_all:
        query = query.where(QaEvaluation.agent == viewer.username)
    if agent:
        query = query.where(QaEvaluation.agent == agent)
    if start is not None:
        query = query.where(col(QaEvaluation.call_started_at) >= start)
    if end is not None:
        query = query.where(col(QaEvaluation.call_started_at) < end)
    return list(session.exec(query.order_by(col(QaEvaluation.call_started_at).desc())).all())


def list_evaluations(
    session: Session,
    *,
    viewer: Viewer,
    agent: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """Evaluations the viewer may see (an agent: only their own), newest call first."""
    rows = _visible(session, viewer=viewer, agent=agent, start=start, end=end)
    scores: dict[int, list[QaScore]] = defaultdict(list)
    for score in session.exec(_scores_of([r.id or 0 for r in rows])).all():
        scores[score.evaluation_id].append(score)
    return [_evaluation_json(r, scores[r.id or 0]) for r in rows]


def averages(
    session: Session,
    *,
    viewer: Viewer,
    agent: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """Per agent and month (of the call, Japan time): count, average score and percent."""
    groups: dict[tuple[str, str], list[QaEvaluation]] = defaultdict(list)
    for row in _visible(session, viewer=viewer, agent=agent, start=start, end=end):
        month = row.call_started_at.astimezone(JST).strftime("%Y-%m")
        groups[(row.agent, month)].append(row)
    out: list[dict[str, Any]] = []
    for (who, month), rows in sorted(groups.items()):
        total = sum(r.total for r in rows)
        top = sum(r.max_total for r in rows)
        out.append(
            {
                "agent": who,
                "month": month,
                "evaluations": len(rows),
                "average_total": round(total / len(rows), 2),
                "average_percent": _percent(total, top),
            }
        )
    return out
