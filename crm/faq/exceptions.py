"""Errors the FAQ and departments code reports to users (kebab-case ids, Japanese text)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from realtime.errors import MadoguchiError


@dataclass(frozen=True)
class RowProblem:
    """One problem on one CSV row (``line`` counts the header as line 1)."""

    line: int
    message_ja: str
    key: str = ""
    column: str = ""

    def describe(self) -> str:
        """A one-line Japanese description for people."""
        where = f"{self.line}行目"
        if self.key:
            where += f" ({self.key})"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.message_ja}"


class CsvImportFailed(MadoguchiError):
    """The file was refused as a whole: nothing from it was stored."""

    error_id = "csv-import-failed"
    status_code = 422
    message_ja = "CSVファイルに誤りがあるため、取り込みませんでした。"

    def __init__(self, *, problems: list[RowProblem], encoding: str = "") -> None:
        super().__init__(problems=[asdict(p) for p in problems], encoding=encoding)
        self.problems = problems
        self.encoding = encoding

    def public(self) -> dict[str, Any]:
        body = super().public()
        body["problems"] = [asdict(p) for p in self.problems]
        return body


class FaqNotFound(MadoguchiError):
    error_id = "faq-not-found"
    status_code = 404
    message_ja = "指定されたFAQが見つかりません。"

    def __init__(self, *, faq_id: str) -> None:
        super().__init__(faq_id=faq_id)
        self.faq_id = faq_id


class DepartmentNotFound(MadoguchiError):
    error_id = "department-not-found"
    status_code = 404
    message_ja = "指定された部署が見つかりません。"

    def __init__(self, *, dept_id: str) -> None:
        super().__init__(dept_id=dept_id)
        self.dept_id = dept_id
