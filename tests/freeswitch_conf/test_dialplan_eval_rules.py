"""The evaluator follows mod_dialplan_xml's rules, so its verdicts on our dialplan hold."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.freeswitch_conf.dialplan_eval import Channel, Dialplan, HuntResult, substitute
from tests.freeswitch_conf.fsxml import parse_trusted

pytestmark = pytest.mark.req("F-1.2.1")

JST = ZoneInfo("Asia/Tokyo")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=JST)


def hunt(extensions: str, destination: str = "100", **kwargs: object) -> HuntResult:
    doc = parse_trusted(
        '<document><section name="dialplan"><context name="t">'
        + extensions
        + "</context></section></document>"
    )
    channel = Channel(destination_number=destination, context="t", now=MONDAY_10)
    for key, value in kwargs.items():
        setattr(channel, key, value)
    return Dialplan(doc, host_tz=JST).hunt(channel)


def test_expressions_are_unanchored_unless_anchored():
    plan = """
      <extension name="loose"><condition field="destination_number" expression="111">
        <action application="log" data="loose"/></condition></extension>
      <extension name="strict"><condition field="destination_number" expression="^111$">
        <action application="log" data="strict"/></condition></extension>"""
    assert hunt(plan, "0339811111").extensions == ["loose"]
    assert hunt(plan.replace('"111"', '"^111"'), "0339811111").extensions == []
    assert hunt(plan.replace('"111"', '"^1111"'), "111").extensions == ["strict"]


def test_first_matching_extension_wins_unless_continue():
    plan = """
      <extension name="a" continue="{cont}"><condition field="destination_number" expression="^1">
        <action application="set" data="a=1"/></condition></extension>
      <extension name="b"><condition field="destination_number" expression="^10">
        <action application="set" data="b=1"/></condition></extension>"""
    assert hunt(plan.format(cont="false")).extensions == ["a"]
    assert hunt(plan.format(cont="true")).pairs() == [("set", "a=1"), ("set", "b=1")]


def test_false_condition_runs_anti_actions_and_counts_as_match():
    plan = """
      <extension name="a"><condition field="destination_number" expression="^9">
        <action application="log" data="yes"/>
        <anti-action application="log" data="no"/></condition></extension>
      <extension name="b"><condition><action application="log" data="b"/></condition></extension>"""
    result = hunt(plan)
    assert result.pairs() == [("log", "no")]
    assert result.extensions == ["a"]
    assert result.actions[0].anti


def test_failed_condition_without_anti_actions_moves_to_next_extension():
    plan = """
      <extension name="a"><condition field="destination_number" expression="^9">
        <action application="log" data="a"/></condition></extension>
      <extension name="b"><condition><action application="log" data="b"/></condition></extension>"""
    assert hunt(plan).pairs() == [("log", "b")]


@pytest.mark.parametrize(
    ("brk", "expected"),
    [
        ("on-false", []),
        ("on-true", [("log", "second")]),
        ("always", []),
        ("never", [("log", "second")]),
    ],
)
def test_break_modes_after_a_false_condition(brk, expected):
    plan = f"""
      <extension name="a">
        <condition field="destination_number" expression="^9" break="{brk}">
          <action application="log" data="first"/></condition>
        <condition field="destination_number" expression="^1">
          <action application="log" data="second"/></condition>
      </extension>"""
    assert hunt(plan).pairs() == expected


@pytest.mark.parametrize(
    ("brk", "expected"),
    [
        ("on-false", [("log", "first"), ("log", "second")]),
        ("on-true", [("log", "first")]),
        ("always", [("log", "first")]),
        ("never", [("log", "first"), ("log", "second")]),
    ],
)
def test_break_modes_after_a_true_condition(brk, expected):
    plan = f"""
      <extension name="a">
        <condition field="destination_number" expression="^1" break="{brk}">
          <action application="log" data="first"/></condition>
        <condition field="destination_number" expression="^1">
          <action application="log" data="second"/></condition>
      </extension>"""
    assert hunt(plan).pairs() == expected


def test_captures_substitute_dollar_numbers_only_when_expression_has_groups():
    plan = """
      <extension name="a"><condition field="destination_number" expression="^(\\d)(\\d+)$">
        <action application="bridge" data="user/$2@${{domain}} ${{1}}x$9"/>
      </condition></extension>"""
    assert hunt(plan.replace("{{", "{").replace("}}", "}"), "1234").pairs() == [
        ("bridge", "user/234@${domain} 1x")
    ]
    no_groups = """
      <extension name="a"><condition field="destination_number" expression="^1234$">
        <action application="log" data="$1"/></condition></extension>"""
    assert hunt(no_groups, "1234").pairs() == [("log", "$1")]


def test_field_with_dollar_is_expanded_from_channel_variables():
    plan = """
      <extension name="a"><condition field="${line}" expression="^covid$">
        <action application="log" data="hit"/></condition></extension>"""
    assert hunt(plan, variables={"line": "covid"}).pairs() == [("log", "hit")]
    assert hunt(plan, variables={}).pairs() == []


def test_inline_set_is_seen_by_later_extensions_but_plain_set_is_not():
    plan = """
      <extension name="a" continue="true"><condition>
        <action application="set" data="x=${destination_number}" inline="{inline}"/>
      </condition></extension>
      <extension name="b"><condition field="${x}" expression="^100$">
        <action application="log" data="seen"/></condition></extension>"""
    inline = hunt(plan.replace("{inline}", "true"))
    assert inline.pairs() == [("log", "seen")]
    assert [(a.application, a.data) for a in inline.inline] == [("set", "x=100")]
    assert ("log", "seen") not in hunt(plan.replace("{inline}", "false")).pairs()


@pytest.mark.parametrize(
    ("rule", "destination", "matched"),
    [
        ("any", "100", True),
        ("any", "555", False),
        ("all", "100", False),
        ("all", "1", True),
        ("xor", "100", True),
        ("xor", "1", False),
    ],
)
def test_regex_any_all_xor(rule, destination, matched):
    plan = f"""
      <extension name="a"><condition regex="{rule}">
        <regex field="destination_number" expression="^1"/>
        <regex field="destination_number" expression="^1$"/>
        <action application="log" data="yes"/>
        <anti-action application="log" data="no"/>
      </condition></extension>"""
    assert hunt(plan, destination).pairs() == [("log", "yes" if matched else "no")]


def test_nested_conditions_run_only_inside_a_true_parent():
    plan = """
      <extension name="a">
        <condition field="destination_number" expression="^1">
          <action application="log" data="outer"/>
          <condition field="caller_id_number" expression="^0312">
            <action application="log" data="inner"/>
          </condition>
        </condition>
      </extension>
      <extension name="b"><condition><action application="log" data="b"/></condition></extension>"""
    assert hunt(plan, caller_id_number="0312345678").pairs() == [
        ("log", "outer"),
        ("log", "inner"),
    ]
    # The nested block failed: the extension does not proceed and hunting moves on.
    assert hunt(plan, caller_id_number="0900").pairs() == [("log", "outer"), ("log", "b")]
    relaxed = plan.replace(
        '<condition field="destination_number" expression="^1">',
        '<condition field="destination_number" expression="^1" require-nested="false">',
    )
    assert hunt(relaxed, caller_id_number="0900").extensions == ["a"]


def test_time_condition_chooses_action_or_anti_action():
    plan = """
      <extension name="a"><condition wday="mon-fri" time-of-day="08:30-17:15">
        <action application="log" data="open"/>
        <anti-action application="log" data="closed"/></condition></extension>"""
    assert hunt(plan).pairs() == [("log", "open")]
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=JST)
    assert hunt(plan, now=saturday).pairs() == [("log", "closed")]


def test_time_condition_uses_the_timezone_variable():
    plan = """
      <extension name="a"><condition hour="10">
        <action application="log" data="ten"/></condition></extension>"""
    at_01_utc = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert hunt(plan, now=at_01_utc, variables={"timezone": "UTC"}).pairs() == []
    assert hunt(plan, now=at_01_utc, variables={"timezone": "Asia/Tokyo"}).pairs() == [
        ("log", "ten")
    ]
    assert hunt(plan, now=at_01_utc, variables={"tod_tz_offset": "9"}).pairs() == [("log", "ten")]


def test_matching_field_wins_over_failing_clock_in_one_condition():
    # mod_dialplan_xml tests the clock first and the field last; the field decides.
    plan = """
      <extension name="a"><condition field="destination_number" expression="^1" hour="3">
        <action application="log" data="yes"/></condition></extension>"""
    assert hunt(plan).pairs() == [("log", "yes")]


def test_substitute_handles_missing_groups():
    import re

    match = re.search(r"^(a)(b)?", "a")
    assert substitute("$1-$2-${1}-$3", match) == "a--a-"
    assert substitute("$1", None) == ""
