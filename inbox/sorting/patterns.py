"""Validating administrator-entered subject patterns so one rule cannot hang the intake.

A regular expression is refused when it is long, uses back-references or look-arounds, or nests
an unbounded repeat inside another repeat (``(a+)+``, ``(a|aa)*``, ``(.*)*``): the shapes that
make Python's backtracking engine take exponential time. Matching also only looks at the first
``MAX_SUBJECT`` characters of a subject.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # the stdlib's own parser
from typing import Any

from realtime.errors import ValidationFailed

MAX_PATTERN = 200
MAX_SUBJECT = 500
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_REFUSED = ("GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT")


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed(fields={"pattern": reason})


def _walk(items: Any, inside_repeat: bool) -> None:
    for op, arg in items:
        name = str(op)
        if name in _REFUSED:
            raise _refuse("後方参照・先読み・後読みは使えません。")
        if name in _REPEATS:
            _low, high, body = arg
            unbounded = high is sre_parse.MAXREPEAT or high > 100
            if inside_repeat and unbounded:
                raise _refuse(
                    "繰り返しの中に繰り返しがあります（例: (a+)+）。処理が終わらなくなるため"
                    "使えません。"
                )
            _walk(body, inside_repeat or high > 1)
        elif name == "SUBPATTERN":
            _walk(arg[-1], inside_repeat)
        elif name == "BRANCH":
            branches = arg[1]
            if inside_repeat and len(branches) > 1:
                raise _refuse(
                    "繰り返しの中に選択（|）があります。処理が終わらなくなるおそれがあるため"
                    "使えません。"
                )
            for branch in branches:
                _walk(branch, inside_repeat)


def compile_subject_pattern(pattern: str) -> re.Pattern[str]:
    """A safe, compiled subject pattern (case-insensitive), or ValidationFailed with a reason."""
    if not pattern or len(pattern) > MAX_PATTERN:
        raise _refuse(f"件名の条件は1〜{MAX_PATTERN}文字で入力してください。")
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise _refuse(f"正規表現として読めません（{exc.msg}）。") from None
    _walk(parsed, inside_repeat=False)
    return compiled


def subject_matches(pattern: re.Pattern[str], subject: str) -> bool:
    """Whether the first MAX_SUBJECT characters of ``subject`` match."""
    return pattern.search(subject[:MAX_SUBJECT]) is not None
