"""FreeSWITCH's XML dialplan hunt, evaluated in Python (test support).

A transcription of ``parse_exten`` and ``dialplan_hunt`` in
src/mod/dialplans/mod_dialplan_xml/mod_dialplan_xml.c (FreeSWITCH 1.10):

- Extensions of the context are tried in document order. An extension "proceeds" when its
  conditions let it (see below); hunting stops at the first extension that proceeds unless
  it has ``continue="true"``. Actions of every proceeding extension are appended in order.
- Conditions of an extension are evaluated in order. ``field`` is a caller-profile field
  (destination_number, caller_id_number, ...) or, when it contains ``$``, an expanded
  expression such as ``${var}``; ``expression`` is expanded too. Matching is PCRE
  ``pcre_exec``: unanchored (``re.search``) unless the pattern anchors itself.
- A condition with time attributes and no field is decided by the clock; with neither it is
  absolute (true). A condition with a field AND time attributes: a matching field wins over a
  failing clock (the C code tests the field last).
- ``regex="any|all|xor"`` with ``<regex field=".." expression=".."/>`` children combines the
  children: any one, all of them, or exactly one.
- True: the ``<action>``s are appended, with ``$1``/``${1}`` replaced by the field's capture
  groups (only when the expression contains ``(``). False: the ``<anti-action>``s are appended
  (and then the extension counts as proceeding).
- ``break``: ``on-false`` (default) stops the extension's conditions after a false one,
  ``on-true`` after a true one, ``always`` after any, ``never`` never.
- Nested ``<condition>`` inside a true condition are evaluated as a sub-extension; a false
  nested block stops the extension unless ``break="never"``; ``require-nested="false"`` on
  the parent makes it count as proceeding anyway.
- ``inline="true"`` actions run during the hunt (``set``/``unset``/``export`` change the
  variables later conditions see; data is expanded as the application would see it).
  Other actions are only queued; their ``${var}`` stay unexpanded, as in FreeSWITCH.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from tests.freeswitch_conf.fstime import datetime_check

_TRUE = {"yes", "on", "true", "t", "enabled", "active", "allow"}
MAX_RECUR = 100

PROFILE_FIELDS = (
    "dialplan",
    "username",
    "caller_id_name",
    "ani",
    "aniii",
    "caller_id_number",
    "network_addr",
    "rdnis",
    "destination_number",
    "uuid",
    "source",
    "context",
    "chan_name",
)


def switch_true(value: str | None) -> bool:
    """``switch_true``: yes/on/true/t/enabled/active/allow or a non-zero number."""
    if not value:
        return False
    text = value.strip().lower()
    if text in _TRUE:
        return True
    try:
        return int(text) != 0
    except ValueError:
        return False


@dataclass(frozen=True)
class Action:
    """One queued (or inline-executed) dialplan application."""

    application: str
    data: str
    extension: str
    anti: bool = False
    inline: bool = False


@dataclass
class Channel:
    """What the dialplan sees of a call: caller profile, channel variables and the clock."""

    destination_number: str
    context: str = "public"
    caller_id_number: str = ""
    caller_id_name: str = ""
    network_addr: str = ""
    uuid: str = "00000000-0000-4000-8000-000000000000"
    variables: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def profile_field(self, name: str) -> str | None:
        values = {
            "destination_number": self.destination_number,
            "context": self.context,
            "caller_id_number": self.caller_id_number,
            "caller_id_name": self.caller_id_name,
            "ani": self.caller_id_number,
            "network_addr": self.network_addr,
            "uuid": self.uuid,
            "dialplan": "XML",
            "source": "mod_sofia",
        }
        return values.get(name)


@dataclass
class HuntResult:
    """The extensions that proceeded, the queued actions and the inline ones already run."""

    extensions: list[str]
    actions: list[Action]
    inline: list[Action]
    variables: dict[str, str]

    def pairs(self) -> list[tuple[str, str]]:
        """(application, data) of the queued actions, in order."""
        return [(a.application, a.data) for a in self.actions]


class Expander:
    """``switch_channel_expand_variables`` for plain ``${name}`` references.

    ``${api(args)}`` calls are left as written (they need a running FreeSWITCH), after their
    arguments are expanded.
    """

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        self.lookup = lookup

    def expand(self, text: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            if text.startswith("${", i):
                end = _matching_brace(text, i + 1)
                if end < 0:
                    out.append(text[i:])
                    break
                inner = self.expand(text[i + 2 : end])
                if "(" in inner and inner.endswith(")"):
                    out.append("${" + inner + "}")
                else:
                    out.append(self.lookup(inner) or "")
                i = end + 1
            else:
                out.append(text[i])
                i += 1
        return "".join(out)


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


_CAPTURE = re.compile(r"\$(?:\{(\d+)\}|(\d+))")


def substitute(data: str, match: re.Match[str] | None) -> str:
    """``switch_perform_substitution``: ``$N``/``${N}`` become capture group N (empty if none)."""

    def group(m: re.Match[str]) -> str:
        index = int(m.group(1) or m.group(2))
        if match is None or index > (match.re.groups or 0):
            return ""
        return match.group(index) or ""

    return _CAPTURE.sub(group, data)


class Dialplan:
    """The ``dialplan`` section of a pre-processed FreeSWITCH document."""

    def __init__(
        self,
        document: ET.Element,
        *,
        global_variables: Mapping[str, str] | None = None,
        host_tz: tzinfo = UTC,
    ) -> None:
        section = next(
            (s for s in document.findall("section") if s.get("name") == "dialplan"), None
        )
        if section is None:
            raise ValueError("no dialplan section")
        self.section = section
        self.globals = dict(global_variables or {})
        self.host_tz = host_tz

    def context(self, name: str) -> ET.Element | None:
        contexts = self.section.findall("context")
        found = next((c for c in contexts if c.get("name") == name), None)
        if found is None:
            found = next((c for c in contexts if c.get("name") == "global"), None)
        return found

    def hunt(self, channel: Channel) -> HuntResult:
        """Hunt ``channel`` through its context as ``dialplan_hunt`` does."""
        return _Hunt(self, channel).run()


class _Hunt:
    def __init__(self, dialplan: Dialplan, channel: Channel) -> None:
        self.dp = dialplan
        self.channel = channel
        self.variables = dict(channel.variables)
        self.actions: list[Action] = []
        self.inline: list[Action] = []
        self.expander = Expander(self.lookup)

    def lookup(self, name: str) -> str | None:
        if name in self.variables:
            return self.variables[name]
        value = self.channel.profile_field(name)
        if value is not None:
            return value
        return self.dp.globals.get(name)

    def clock_variables(self) -> dict[str, str]:
        out = {}
        for name in ("tod_tz_offset", "timezone"):
            value = self.lookup(name)
            if value:
                out[name] = value
        return out

    def run(self) -> HuntResult:
        context = self.dp.context(self.channel.context)
        proceeded: list[str] = []
        if context is not None:
            for exten in context.findall("extension"):
                name = exten.get("name") or "UNKNOWN"
                if self.parse_exten(exten, name, 0):
                    proceeded.append(name)
                    if not switch_true(exten.get("continue")):
                        break
        return HuntResult(proceeded, self.actions, self.inline, self.variables)

    def field_data(self, field_name: str) -> str:
        if "$" in field_name:
            return self.expander.expand(field_name)
        return self.channel.profile_field(field_name) or ""

    def expression_of(self, element: ET.Element) -> str:
        child = element.find("expression")
        if child is not None:
            return child.text or ""
        return element.get("expression", "")

    def time_check(self, element: ET.Element) -> int:
        return datetime_check(
            element.attrib,
            now=self.channel.now,
            variables=self.clock_variables(),
            host_tz=self.dp.host_tz,
        )

    def add(self, element: ET.Element, data: str, exten_name: str, *, anti: bool) -> None:
        application = element.get("application", "")
        inline = switch_true(element.get("inline"))
        loops = int(element.get("loop", "1") or "1")
        for _ in range(max(loops, 0)):
            action = Action(application, data, exten_name, anti=anti, inline=inline)
            if inline:
                self.run_inline(action)
            else:
                self.actions.append(action)

    def run_inline(self, action: Action) -> None:
        data = self.expander.expand(action.data)
        executed = Action(action.application, data, action.extension, action.anti, True)
        self.inline.append(executed)
        if action.application in {"set", "export"}:
            name, _, value = data.partition("=")
            if value:
                self.variables[name] = value
            else:
                self.variables.pop(name, None)
        elif action.application == "unset":
            self.variables.pop(data, None)

    def action_data(self, element: ET.Element) -> str:
        return element.text if element.text and element.text.strip() else element.get("data", "")

    def parse_exten(self, xexten: ET.Element, exten_name: str, recur: int) -> bool:
        if recur > MAX_RECUR:
            return False
        req_nest = True
        if recur and xexten.get("require-nested") is not None:
            req_nest = switch_true(xexten.get("require-nested"))
        proceed = False
        for xcond in xexten.findall("condition"):
            proceed, stop = self.parse_condition(xcond, exten_name, recur, proceed)
            if stop:
                break
        if not req_nest:
            proceed = True
        return proceed

    def parse_condition(
        self, xcond: ET.Element, exten_name: str, recur: int, proceed: bool
    ) -> tuple[bool, bool]:
        """One <condition>: returns (proceed, stop evaluating this extension's conditions)."""
        brk = (xcond.get("break") or "on-false").lower()
        if brk not in {"on-true", "on-false", "always", "never"}:
            brk = "on-false"
        anti_action = True
        time_match = self.time_check(xcond)
        if time_match == 1:
            anti_action = False
            proceed = True
        elif time_match == 0:
            proceed = False

        field_name = xcond.get("field")
        expression = ""
        match: re.Match[str] | None = None
        substitute_captures = False

        rule = xcond.get("regex")
        if rule is not None:
            mode = rule.lower()
            pass_count = fail_count = 0
            for xregex in xcond.findall("regex"):
                regex_time = self.time_check(xregex)
                expr = self.expander.expand(self.expression_of(xregex))
                rfield = xregex.get("field")
                if rfield is not None:
                    data = self.field_data(rfield)
                    found = re.search(expr, data)
                    proceed = found is not None
                    if found is not None:
                        pass_count += 1
                    else:
                        fail_count += 1
                    if "(" in expr:
                        match, expression, field_name = found, expr, rfield
                        substitute_captures = True
                    if found is not None and mode not in {"all", "xor"}:
                        break
                    if found is None and mode == "all":
                        break
                elif regex_time in (-1, 1):
                    pass_count += 1
                    proceed = True
                    if mode not in {"all", "xor"}:
                        break
                else:
                    fail_count += 1
                    if mode == "all":
                        break
            if mode == "xor":
                if pass_count == 1:
                    anti_action = False
            elif (mode == "all" and not fail_count) or (mode != "all" and pass_count):
                anti_action = False
        else:
            expression = self.expander.expand(self.expression_of(xcond))
            if field_name is not None:
                data = self.field_data(field_name)
                match = re.search(expression, data)
                proceed = match is not None
                if match is not None:
                    anti_action = False
                substitute_captures = "(" in expression
            elif time_match == -1:
                anti_action = False
                proceed = True

        if anti_action:
            for xaction in xcond.findall("anti-action"):
                self.add(xaction, self.action_data(xaction), exten_name, anti=True)
                proceed = True
        else:
            for xaction in xcond.findall("action"):
                data = self.action_data(xaction)
                if field_name is not None and substitute_captures:
                    data = substitute(data, match)
                self.add(xaction, data, exten_name, anti=False)

        if (
            (not anti_action and brk == "on-true")
            or (anti_action and brk == "on-false")
            or brk == "always"
        ):
            return proceed, True
        if proceed and xcond.find("condition") is not None:
            proceed = self.parse_exten(xcond, exten_name, recur + 1)
            if not proceed:
                return proceed, brk != "never"
        return proceed, False
