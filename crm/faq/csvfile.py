"""Reading the city's CSV files: UTF-8 (with or without BOM) or Shift_JIS (CP932), strict rows."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from crm.faq.exceptions import CsvImportFailed, RowProblem

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line number in the file and its cells by column name."""

    line: int
    cells: dict[str, str]


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding found: UTF-8 first, then CP932 (Windows Shift_JIS)."""
    if len(data) > MAX_BYTES:
        raise CsvImportFailed(
            problems=[RowProblem(0, f"ファイルが大きすぎます（上限 {MAX_BYTES // 1048576}MB）。")]
        )
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else "shift_jis"
        except UnicodeDecodeError:
            continue
    raise CsvImportFailed(
        problems=[
            RowProblem(0, "文字コードを判別できません。UTF-8またはShift_JISで保存してください。")
        ]
    )


def clean(value: str) -> str:
    """Cell text as written, without surrounding whitespace."""
    return value.strip()


def read_rows(
    text: str, *, columns: Sequence[str], encoding: str
) -> tuple[list[CsvRow], list[RowProblem]]:
    """Well-formed rows keyed by ``columns`` and the problems of the malformed ones; raises when
    the file as a whole is unusable (no header, wrong columns, no data)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[RowProblem] = []
    try:
        header = next(reader)
    except StopIteration:
        raise CsvImportFailed(
            problems=[RowProblem(1, "ファイルが空です。")], encoding=encoding
        ) from None
    except csv.Error as exc:
        raise CsvImportFailed(
            problems=[RowProblem(1, f"見出し行を読めません: {exc}")], encoding=encoding
        ) from None
    names = [unicodedata.normalize("NFKC", h).strip().lower() for h in header]
    missing = [c for c in columns if c not in names]
    unknown = [h for h in names if h and h not in columns]
    if missing or unknown or len(set(names)) != len(names):
        detail = []
        if missing:
            detail.append("不足している列: " + ", ".join(missing))
        if unknown:
            detail.append("不明な列: " + ", ".join(unknown))
        if len(set(names)) != len(names):
            detail.append("列名が重複しています")
        raise CsvImportFailed(
            problems=[
                RowProblem(
                    1,
                    "見出し行が正しくありません（"
                    + "、".join(detail)
                    + "）。必要な列: "
                    + ", ".join(columns),
                )
            ],
            encoding=encoding,
        )
    rows: list[CsvRow] = []
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(reader.line_num, f"CSVの形式が壊れています: {exc}"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(names):
            problems.append(
                RowProblem(line, f"列の数が {len(record)} 個です（{len(names)} 個必要です）。")
            )
            continue
        bad = [names[i] for i, cell in enumerate(record) if _CONTROL.search(cell)]
        if bad:
            problems.append(RowProblem(line, "制御文字が含まれています。", column=", ".join(bad)))
            continue
        rows.append(CsvRow(line, {n: clean(v) for n, v in zip(names, record, strict=True)}))
    if not rows and not problems:
        raise CsvImportFailed(
            problems=[RowProblem(line, "データ行がありません。")], encoding=encoding
        )
    return rows, problems


def refuse_if_any(problems: list[RowProblem], *, encoding: str) -> None:
    """Raise with every problem, in line order, when there is any."""
    if problems:
        raise CsvImportFailed(problems=sorted(problems, key=lambda p: p.line), encoding=encoding)


def normalised_id(value: str) -> str:
    """An id as written, in half-width form (Ｆ０００１ is F0001)."""
    return unicodedata.normalize("NFKC", value).strip()
