"""QA evaluation forms, their criteria, evaluations and per-criterion scores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class QaForm(SQLModel, table=True):
    """An evaluation form (評価シート): a named list of criteria."""

    __tablename__ = "qa_form"

    id: int | None = Field(default=None, primary_key=True, description="Form number.")
    name: str = Field(max_length=100, unique=True, description="Form name.")
    active: bool = Field(default=True, description="Offered for new evaluations.")
    created_by: str = Field(max_length=64, description="Who made the form.")
    created_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When it was made (UTC)."
    )


class QaCriterion(SQLModel, table=True):
    """One criterion of a form with its maximum score."""

    __tablename__ = "qa_criterion"

    id: int | None = Field(default=None, primary_key=True, description="Criterion number.")
    form_id: int = Field(
        sa_column=Column(Integer, ForeignKey("qa_form.id", ondelete="CASCADE"), nullable=False),
        description="Form the criterion belongs to.",
    )
    position: int = Field(description="Order on the form (from 1).")
    label: str = Field(max_length=200, description="What is judged (e.g. 本人確認の手順).")
    max_score: int = Field(description="Highest score for the criterion.")


class QaEvaluation(SQLModel, table=True):
    """One evaluation of one agent's handling of one recorded call."""

    __tablename__ = "qa_evaluation"

    id: int | None = Field(default=None, primary_key=True, description="Evaluation number.")
    recording_id: str = Field(
        sa_column=Column(String(36), ForeignKey("recording.id"), nullable=False, index=True),
        description="Recording evaluated.",
    )
    form_id: int = Field(
        sa_column=Column(Integer, ForeignKey("qa_form.id"), nullable=False),
        description="Form used.",
    )
    agent: str = Field(max_length=64, index=True, description="Agent evaluated.")
    evaluator: str = Field(max_length=64, description="Who evaluated.")
    evaluated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True),
        description="When the evaluation was saved (UTC).",
    )
    call_started_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True),
        description="When the evaluated call started (UTC): averages group by its month.",
    )
    total: int = Field(description="Sum of the scores.")
    max_total: int = Field(description="Sum of the maximum scores.")
    comment: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="Overall comment."
    )


class QaScore(SQLModel, table=True):
    """The score and comment of one criterion in one evaluation."""

    __tablename__ = "qa_score"

    evaluation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("qa_evaluation.id", ondelete="CASCADE"), primary_key=True
        ),
        description="Evaluation.",
    )
    criterion_id: int = Field(
        sa_column=Column(Integer, ForeignKey("qa_criterion.id"), primary_key=True),
        description="Criterion scored.",
    )
    score: int = Field(description="Score given (0 to the criterion's maximum).")
    comment: str = Field(default="", max_length=500, description="Comment on this criterion.")
