"""How each column type is written to CSV and read back: one text form per value.

NULL is ``\\N`` (as PostgreSQL's COPY writes it); a text value that starts with a backslash gets
one more backslash in front, so ``\\N`` as text stays text. Timestamps are ISO 8601 with their UTC
offset, dates ISO 8601, booleans ``true``/``false``, binary data base64.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column
from sqlalchemy.types import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
)

NULL = "\\N"


def kind_of(column: Column[Any]) -> str:
    """The CSV kind of a column: integer, decimal, boolean, timestamp, date, binary or text."""
    t = column.type
    if isinstance(t, TypeDecorator):
        t = t.impl_instance
    if isinstance(t, Boolean):
        return "boolean"
    if isinstance(t, Integer | BigInteger):
        return "integer"
    if isinstance(t, Float | Numeric):
        return "decimal"
    if isinstance(t, DateTime):
        return "timestamp"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, LargeBinary):
        return "binary"
    if isinstance(t, String | Text):
        return "text"
    raise TypeError(f"no CSV form for column {column} of type {t!r}")


def _text_out(value: Any) -> str:
    s = str(value)
    return "\\" + s if s.startswith("\\") else s


def _time_out(value: Any) -> str:
    if isinstance(value, str):  # SQLite text read back raw
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).isoformat())


ENCODERS: dict[str, Callable[[Any], str]] = {
    "boolean": lambda v: "true" if v else "false",
    "integer": lambda v: str(int(v)),
    "decimal": lambda v: repr(float(v)),
    "timestamp": _time_out,
    "date": lambda v: v.isoformat() if isinstance(v, dt.date) else str(v),
    "binary": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
    "text": _text_out,
}


def _bool_in(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"not a boolean: {text!r}")
    return text == "true"


def _text_in(text: str) -> str:
    return text[1:] if text.startswith("\\") else text


DECODERS: dict[str, Callable[[str], Any]] = {
    "boolean": _bool_in,
    "integer": int,
    "decimal": float,
    "timestamp": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "binary": base64.b64decode,
    "text": _text_in,
}


def encode(kind: str, value: Any) -> str:
    """The CSV text of one value."""
    return NULL if value is None else ENCODERS[kind](value)


def decode(kind: str, text: str) -> Any:
    """The value of one CSV field."""
    return None if text == NULL else DECODERS[kind](text)
