"""Sorting rules as values: validation of what an administrator enters, and evaluation.

Fields: ``recipient`` (an address or ``@domain`` the mail was sent to), ``sender`` (an address or
``@domain``), ``subject`` (a validated regular expression) and ``fax_did`` (the number dialled).
The first enabled rule by ascending priority (then id) that matches gives the skill; nothing
matching gives the default skill.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from inbox.sorting.patterns import compile_subject_pattern, subject_matches
from realtime.errors import ValidationFailed

_ADDRESS = re.compile(r"^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$")
_DOMAIN = re.compile(r"^@?[a-z0-9-]+(\.[a-z0-9-]+)+$")
_SKILL = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_DID_JUNK = re.compile(r"[\s\-‐‑‒–—―−ー()（）+]")


class RuleField(StrEnum):
    RECIPIENT = "recipient"
    SUBJECT = "subject"
    SENDER = "sender"
    FAX_DID = "fax_did"


@dataclass(frozen=True)
class RuleInput:
    """A rule as entered (validated by :func:`validate_rule`)."""

    name: str
    field: RuleField
    pattern: str
    skill: str
    priority: int = 100
    enabled: bool = True


@dataclass(frozen=True)
class Rule:
    """A stored rule ready for evaluation."""

    id: int
    name: str
    field: RuleField
    pattern: str
    skill: str
    priority: int
    compiled: re.Pattern[str] | None = None


@dataclass(frozen=True)
class SortSubject:
    """What rules look at in one received item."""

    recipients: Sequence[str] = ()
    sender: str = ""
    subject: str = ""
    fax_did: str = ""


@dataclass(frozen=True)
class SortDecision:
    """The skill chosen, and by which rule (None: the default queue)."""

    skill: str | None
    rule_id: int | None = None
    rule_name: str = ""
    checked: list[int] = field(default_factory=list)


def normalise_did(raw: str) -> str:
    """A fax number as digits (full-width and separators removed, +81 → 0)."""
    digits = _DID_JUNK.sub("", unicodedata.normalize("NFKC", raw or ""))
    if raw.strip().startswith(("+81", "＋81")):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def _address_pattern(raw: str) -> str:
    value = unicodedata.normalize("NFKC", raw).strip().lower()
    if _ADDRESS.match(value) or _DOMAIN.match(value):
        return value if "@" in value else "@" + value
    raise ValidationFailed(
        fields={
            "pattern": "メールアドレス（例: soudan@city.example.lg.jp）か @ドメインを入力して"
            "ください。"
        }
    )


def validate_rule(
    *, name: str, field: str, pattern: str, skill: str, priority: int = 100, enabled: bool = True
) -> RuleInput:
    """A rule checked and normalised, or ValidationFailed naming each wrong field."""
    errors: dict[str, str] = {}
    clean_name = (name or "").strip()
    if not clean_name or len(clean_name) > 64:
        errors["name"] = "ルール名は1〜64文字で入力してください。"
    if not _SKILL.match(skill or ""):
        errors["skill"] = "振り分け先のスキルは英数字と _ . : - の64文字以内で入力してください。"
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 100000:
        errors["priority"] = "優先度は0〜100000の整数で入力してください。"
    try:
        rule_field = RuleField(field)
    except ValueError:
        errors["field"] = "条件は recipient・subject・sender・fax_did のいずれかです。"
        raise ValidationFailed(fields=errors) from None
    try:
        clean = _clean_pattern(rule_field, pattern or "")
    except ValidationFailed as exc:
        errors.update(exc.fields)
        clean = ""
    if errors:
        raise ValidationFailed(fields=errors)
    return RuleInput(clean_name, rule_field, clean, skill, priority, bool(enabled))


def _clean_pattern(rule_field: RuleField, pattern: str) -> str:
    if rule_field is RuleField.SUBJECT:
        compile_subject_pattern(pattern)
        return pattern
    if rule_field is RuleField.FAX_DID:
        did = normalise_did(pattern)
        if not did.isdigit() or not 4 <= len(did) <= 15:
            raise ValidationFailed(fields={"pattern": "FAX番号は4〜15桁の数字で入力してください。"})
        return did
    return _address_pattern(pattern)


def _address_matches(pattern: str, addresses: Iterable[str]) -> bool:
    for address in addresses:
        value = address.strip().lower()
        if pattern.startswith("@"):
            if value.endswith(pattern) or value.endswith("." + pattern[1:]):
                return True
        elif value == pattern:
            return True
    return False


def matches(rule: Rule, subject: SortSubject) -> bool:
    """Whether ``rule`` matches the item."""
    if rule.field is RuleField.RECIPIENT:
        return _address_matches(rule.pattern, subject.recipients)
    if rule.field is RuleField.SENDER:
        return bool(subject.sender) and _address_matches(rule.pattern, [subject.sender])
    if rule.field is RuleField.FAX_DID:
        return bool(subject.fax_did) and normalise_did(subject.fax_did) == rule.pattern
    compiled = rule.compiled or compile_subject_pattern(rule.pattern)
    return subject_matches(compiled, subject.subject)


def decide(rules: Sequence[Rule], subject: SortSubject, *, default_skill: str = "") -> SortDecision:
    """The first matching rule by priority (then id), or the default queue."""
    checked: list[int] = []
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        checked.append(rule.id)
        if matches(rule, subject):
            return SortDecision(rule.skill, rule.id, rule.name, checked)
    return SortDecision(default_skill or None, None, "", checked)
