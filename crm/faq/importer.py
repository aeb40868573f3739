"""Parse and write the FAQ CSV: faq_id, category1, category2, question, answer, dept_id,
keywords, needs_handoff (the file's faq_id is the entry's id)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from crm.faq.csvfile import ID_PATTERN, decode, normalised_id, read_rows, refuse_if_any
from crm.faq.exceptions import RowProblem
from crm.faq.models import FaqEntry

COLUMNS = (
    "faq_id",
    "category1",
    "category2",
    "question",
    "answer",
    "dept_id",
    "keywords",
    "needs_handoff",
)
_TRUE = frozenset({"yes", "y", "true", "1", "はい", "要", "○", "◯"})
_FALSE = frozenset({"no", "n", "false", "0", "いいえ", "不要", "", "-", "×"})
LIMITS = {"category1": 100, "category2": 100, "question": 1000, "answer": 10000, "keywords": 1000}


@dataclass(frozen=True)
class ParsedFaq:
    """The rows of a FAQ file that passed every check."""

    entries: list[FaqEntry]
    lines: dict[str, int]
    encoding: str


def _flag(value: str) -> bool | None:
    v = normalised_id(value).lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return None


def parse(data: bytes, *, now: datetime) -> ParsedFaq:
    """Every row as an entry, or :class:`CsvImportFailed` listing every bad row."""
    text, encoding = decode(data)
    rows, problems = read_rows(text, columns=COLUMNS, encoding=encoding)
    seen: dict[str, int] = {}
    entries: list[FaqEntry] = []
    for row in rows:
        c = row.cells
        faq_id = normalised_id(c["faq_id"])
        before = len(problems)

        def bad(message: str, column: str, faq_id: str = faq_id, line: int = row.line) -> None:
            problems.append(RowProblem(line, message, faq_id, column))

        if not faq_id:
            bad("FAQ IDがありません。", "faq_id")
        elif not ID_PATTERN.match(faq_id):
            bad("FAQ IDは英数字（と - _ .）32文字以内で入力してください。", "faq_id")
        elif faq_id in seen:
            bad(f"FAQ IDが {seen[faq_id]} 行目と重複しています。", "faq_id")
        for column in ("question", "answer"):
            if not c[column]:
                bad("入力してください。", column)
        for column, limit in LIMITS.items():
            if len(c[column]) > limit:
                bad(f"{limit}文字以内で入力してください。", column)
        dept_id = normalised_id(c["dept_id"])
        if dept_id and not ID_PATTERN.match(dept_id):
            bad("部署IDは英数字32文字以内で入力してください。", "dept_id")
        handoff = _flag(c["needs_handoff"])
        if handoff is None:
            bad("yes または no を入力してください。", "needs_handoff")
        seen.setdefault(faq_id, row.line)
        if len(problems) == before:
            entries.append(
                FaqEntry(
                    faq_id=faq_id,
                    category1=c["category1"],
                    category2=c["category2"],
                    question=c["question"],
                    answer=c["answer"],
                    dept_id=dept_id or None,
                    keywords=" ".join(c["keywords"].split()),
                    needs_handoff=bool(handoff),
                    updated_at=now,
                )
            )
    refuse_if_any(problems, encoding=encoding)
    return ParsedFaq(entries, {e.faq_id: seen[e.faq_id] for e in entries}, encoding)


def write(entries: Iterable[FaqEntry]) -> str:
    """The entries as CSV text in the import format (UTF-8, header row, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.faq_id,
                e.category1,
                e.category2,
                e.question,
                e.answer,
                e.dept_id or "",
                e.keywords,
                "yes" if e.needs_handoff else "no",
            ]
        )
    return out.getvalue()
