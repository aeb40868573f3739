"""Japanese phone and fax numbers in the forms operators type them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.pii.charclass import DASHES

_KANJI_TO_DIGIT = str.maketrans("〇一二三四五六七八九", "0123456789")
_DIGIT = "[0-9〇一二三四五六七八九]"
_SEP = rf"(?:[\s{DASHES}.()・]{{1,3}}|の)"
# A run of digits joined by separators; it may hold several numbers, split below.
_CHAIN = re.compile(
    rf"(?<![0-9])(?:\+\s?81[\s{DASHES}.]*(?:\(0\)[\s{DASHES}.]*)?)?\(?{_DIGIT}(?:{_SEP}?{_DIGIT})*"
)
_GROUP = re.compile(_DIGIT + "+")
# Labels after which a number is a reference number of the office, not a phone number.
_REFERENCE_LABEL = re.compile(
    r"(?:内線(?:番号)?|受付(?:番号|No\.?)|整理(?:券)?番号|番号札|申請番号|管理番号|口座番号|"
    r"お客様番号|被保険者番号|記号番号|証券番号|会員番号|注文番号|伝票番号|問合せ番号|"
    r"問い合わせ番号|個人番号|マイナンバー|基礎年金番号|年金番号|法人番号|ID|No\.?|"
    r"保険者番号|受給者番号|納付番号|通知書番号)[\s:：は#№]*$",
    re.IGNORECASE,
)
# Any other "…番号" label (証明書番号, 登録番号) introduces a reference number, unless it is one
# of the labels for a phone or fax number.
_NUMBER_LABEL = re.compile(r"([^\s、。,:：()]{0,8})番号[\s:：は#№]*$")
_PHONE_LABEL_ENDINGS = (
    "電話",
    "FAX",
    "Fax",
    "fax",
    "ファックス",
    "ファクス",
    "ファクシミリ",
    "携帯",
    "TEL",
    "Tel",
    "tel",
    "連絡先",
    "折り返し",
    "折返し",
    "自宅",
    "勤務先",
    "緊急連絡先",
)


def _after_reference_label(before: str) -> bool:
    """Whether the text before a number ends with a label for a non-phone reference number."""
    if _REFERENCE_LABEL.search(before):
        return True
    label = _NUMBER_LABEL.search(before)
    if label is None or not label.group(1):
        return False
    return not label.group(1).endswith(_PHONE_LABEL_ENDINGS)


# Letters allowed right before a number (TEL03-..., FAX:...); other letters make it a code (F0001).
_LETTER_PREFIX = re.compile(r"(?<![A-Za-z])(?:tel|fax|fx|phone|mobile|mob|cell|ph|t|f|m)$", re.I)
_COUNTER_AFTER = re.compile(r"^\s?(?:円|年|件|人|名|個|枚|回|歳|才|日|月|時|分|秒|番|号|%|円)")


@dataclass(frozen=True, slots=True)
class _Group:
    digits: str
    start: int
    end: int


def _valid_length(national: str) -> int:
    """The number of digits a Japanese number with this prefix has."""
    if national.startswith(("0120",)):
        return 10
    if national.startswith(("0800", "050", "070", "080", "090", "020")):
        return 11
    return 10


def _groups(chain: str, offset: int) -> tuple[list[_Group], bool]:
    """Digit groups of a chain; the flag says the chain starts with +81."""
    international = chain.lstrip().startswith("+")
    groups = [
        _Group(m.group().translate(_KANJI_TO_DIGIT), offset + m.start(), offset + m.end())
        for m in _GROUP.finditer(chain)
    ]
    return groups, international


def _national_from_international(groups: list[_Group]) -> list[_Group]:
    """Rewrite +81 groups as the national number (leading 0 restored, "(0)" dropped)."""
    first = groups[0]
    rest = groups[1:]
    if first.digits == "81":
        if rest and rest[0].digits == "0":
            rest = rest[1:]
        if not rest:
            return []
        head = rest[0]
        return [_Group("0" + head.digits, first.start, head.end), *rest[1:]]
    if first.digits.startswith("81"):
        return [_Group("0" + first.digits[2:], first.start, first.end), *rest]
    return []


def _numbers_in(groups: list[_Group]) -> list[tuple[int, int]]:
    """Split a chain's groups into phone numbers of valid length."""
    found: list[tuple[int, int]] = []
    k = 0
    while k < len(groups):
        if not groups[k].digits.startswith("0"):
            k += 1
            continue
        digits = ""
        j = k
        matched = False
        while j < len(groups):
            digits += groups[j].digits
            if len(digits) >= 4 and len(digits) >= _valid_length(digits):
                matched = len(digits) == _valid_length(digits) and digits[1] != "0"
                break
            j += 1
        if matched:
            found.append((groups[k].start, groups[j].end))
            k = j + 1
        else:
            k += 1
    return found


def _chain_numbers(match: re.Match[str]) -> list[tuple[int, int]]:
    """Phone numbers inside one digit chain, national or +81."""
    groups, international = _groups(match.group(), match.start())
    if not international:
        return _numbers_in(groups)
    national = _national_from_international(groups)
    numbers = _numbers_in(national) if national else []
    if numbers and numbers[0][0] == national[0].start:
        leading_space = len(match.group()) - len(match.group().lstrip())
        numbers[0] = (match.start() + leading_space, numbers[0][1])
    return numbers


def find_phones(text: str) -> list[tuple[int, int]]:
    """Spans of phone or fax numbers in NFKC-normalised text."""
    spans: list[tuple[int, int]] = []
    for match in _CHAIN.finditer(text):
        for start, end in _chain_numbers(match):
            if _after_reference_label(text[max(0, start - 14) : start]):
                continue
            if _COUNTER_AFTER.match(text[end : end + 2]):
                continue
            after_letter = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
            if after_letter and not _LETTER_PREFIX.search(text[max(0, start - 8) : start]):
                continue
            opened = start > 0 and text[start - 1] == "(" and ")" in text[start:end]
            begin = start - 1 if opened else start
            spans.append((begin, end))
    return spans
