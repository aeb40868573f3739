"""Sorting rules: validation (including patterns that would hang the regex engine), first match
by priority, and the default queue."""

from __future__ import annotations

import re

import pytest

from inbox.sorting.patterns import MAX_SUBJECT, compile_subject_pattern, subject_matches
from inbox.sorting.rules import (
    Rule,
    RuleField,
    SortSubject,
    decide,
    normalise_did,
    validate_rule,
)
from realtime.errors import ValidationFailed


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a*)*b", "(.*)*x", "(a|aa)*c", "(x+x+)+y", r"(\w+\s?)+$", "(a{1,200})+"],
)
def test_catastrophic_subject_patterns_are_refused(pattern):
    with pytest.raises(ValidationFailed) as refused:
        compile_subject_pattern(pattern)
    assert "pattern" in refused.value.fields


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("pattern", [r"(\d)\1", "(?=a)b", "(?<!x)y", "[", "a" * 201, ""])
def test_backreferences_lookarounds_broken_and_long_patterns_are_refused(pattern):
    with pytest.raises(ValidationFailed):
        compile_subject_pattern(pattern)


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    ("pattern", "subject", "hit"),
    [
        ("国民健康保険|国保", "国保の加入について", True),
        ("^【至急】", "【至急】道路の陥没", True),
        ("^【至急】", "Re: 【至急】道路の陥没", False),
        (r"ごみ\s*(収集|回収)", "粗大ごみ 回収の申込み", True),
        ("TAX", "住民税 tax について", True),  # case-insensitive
        ("(ab)+c", "ababab" * 50 + "c", True),
    ],
)
def test_safe_subject_patterns_match_case_insensitively(pattern, subject, hit):
    assert subject_matches(compile_subject_pattern(pattern), subject) is hit


@pytest.mark.req("F-1.6.1")
def test_subject_beyond_the_limit_is_not_looked_at():
    pattern = compile_subject_pattern("END")
    assert not subject_matches(pattern, "x" * MAX_SUBJECT + "END")
    assert subject_matches(pattern, "x" * (MAX_SUBJECT - 3) + "END")


@pytest.mark.req("F-1.6.1", "F-1.5.1")
def test_rule_input_is_validated_and_normalised():
    did = validate_rule(name="FAX", field="fax_did", pattern="０３－３９８１－１２８０", skill="f")
    assert did.pattern == "0339811280"
    assert normalise_did("+81 3-3981-1280") == "0339811280"
    domain = validate_rule(name="市", field="sender", pattern="City.Example.LG.JP", skill="s")
    assert domain.pattern == "@city.example.lg.jp"
    with pytest.raises(ValidationFailed) as bad:
        validate_rule(name="", field="recipient", pattern="not an address", skill="a b")
    assert set(bad.value.fields) == {"name", "pattern", "skill"}
    with pytest.raises(ValidationFailed) as wrong_field:
        validate_rule(name="x", field="body", pattern="x", skill="s")
    assert "field" in wrong_field.value.fields


def _rule(rule_id: int, field: RuleField, pattern: str, skill: str, priority: int) -> Rule:
    compiled = compile_subject_pattern(pattern) if field is RuleField.SUBJECT else None
    return Rule(rule_id, f"r{rule_id}", field, pattern, skill, priority, compiled)


@pytest.mark.req("F-1.6.1", "F-1.5.1")
def test_first_match_by_priority_wins_and_nothing_matching_goes_to_the_default_queue():
    rules = [
        _rule(1, RuleField.SUBJECT, "ごみ", "gomi", 50),
        _rule(2, RuleField.RECIPIENT, "@renraku.city.example.lg.jp", "liaison", 10),
        _rule(3, RuleField.SENDER, "boss@city.example.lg.jp", "vip", 10),
        _rule(4, RuleField.FAX_DID, "0339811280", "kosodate", 5),
    ]
    liaison = SortSubject(recipients=["Kacho@Renraku.City.Example.LG.JP"], subject="ごみの件")
    assert decide(rules, liaison).skill == "liaison"  # priority 10 before 50
    both = SortSubject(
        recipients=["a@renraku.city.example.lg.jp"], sender="boss@city.example.lg.jp"
    )
    assert decide(rules, both).rule_id == 2  # same priority: lower id first
    assert decide(rules, SortSubject(subject="粗大ごみ")).skill == "gomi"
    assert decide(rules, SortSubject(fax_did="03-3981-1280")).skill == "kosodate"
    nothing = decide(rules, SortSubject(subject="住民票"), default_skill="general")
    assert (nothing.skill, nothing.rule_id) == ("general", None)
    assert decide(rules, SortSubject(subject="住民票")).skill is None
    assert re.fullmatch(r"r\d", decide(rules, SortSubject(subject="ごみ")).rule_name)
