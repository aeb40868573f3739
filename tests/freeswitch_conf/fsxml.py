"""FreeSWITCH's XML pre-processor, as src/switch_xml.c ``preprocess`` runs it (test support).

FreeSWITCH reads ``freeswitch.xml`` line by line before any XML parsing:

- every ``$${name}`` on a line is replaced by the global variable (empty when unset);
- lines containing ``<include>``, ``</include>`` or ``<?`` are dropped (so those tags must
  stand on their own lines);
- a line with ``X-PRE-PROCESS`` not directly after ``<`` is dropped; ``<X-PRE-PROCESS cmd=".."
  data=".."/>`` runs ``set`` (``name=value``, spaces around ``=`` trimmed), ``env-set``
  (``name=$ENV``; nothing happens when the value does not start with ``$`` or the environment
  variable is unset), ``include`` (a glob relative to the directory of the file being read,
  sorted, recursively pre-processed), ``exec``/``exec-set`` (refused here: they run commands);
- ``<!--#set``/``<!--#include`` comments do the same.

The output is the text FreeSWITCH hands to its XML parser; here ElementTree parses it.
"""

from __future__ import annotations

import glob
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_GLOBAL_REF = re.compile(r"\$\$\{([^}]*)\}")
_ATTR = re.compile(r'(cmd|data)\s*=\s*"([^"]*)"', re.IGNORECASE)
MAX_DEPTH = 100


class PreprocessError(Exception):
    """The configuration uses something the test pre-processor refuses (exec) or loops."""

    def __init__(self, reason: str, file: Path, line: int) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.reason = reason
        self.file = file
        self.line = line


@dataclass
class Preprocessed:
    """The pre-processed document text, the global variables and the files read, in order."""

    text: str
    globals: dict[str, str]
    files: list[Path] = field(default_factory=list)

    def parse(self) -> ET.Element:
        """Parse the document as FreeSWITCH's XML parser would see it."""
        return parse_trusted(self.text)


def parse_trusted(text: str) -> ET.Element:
    """Parse XML written in this repository (the configuration and test fixtures)."""
    return ET.fromstring(text)  # noqa: S314 - our own files, not input from outside


def _expand_globals(line: str, variables: Mapping[str, str]) -> str:
    return _GLOBAL_REF.sub(lambda m: variables.get(m.group(1), ""), line)


def _set(data: str, variables: dict[str, str]) -> None:
    name, sep, value = data.partition("=")
    if sep:
        variables[name.rstrip(" ")] = value.lstrip(" ")


def _env_set(data: str, variables: dict[str, str], env: Mapping[str, str]) -> None:
    name, sep, value = data.partition("=")
    if sep and value.startswith("$"):
        found = env.get(value[1:])
        if found is not None:
            variables[name] = found


class _Run:
    def __init__(self, env: Mapping[str, str], initial: Mapping[str, str]) -> None:
        self.env = env
        self.variables: dict[str, str] = dict(initial)
        self.out: list[str] = []
        self.files: list[Path] = []

    def command(
        self, cmd: str, data: str, cwd: Path, where: Path, line_no: int, depth: int
    ) -> None:
        name = cmd.lower()
        if name == "set":
            _set(data, self.variables)
        elif name == "env-set":
            _env_set(data, self.variables, self.env)
        elif name == "include":
            pattern = data if os.path.isabs(data) else str(cwd / data)
            for match in sorted(glob.glob(pattern)):
                self.file(Path(match), depth + 1)
        elif name in {"exec", "exec-set", "stun-set"}:
            raise PreprocessError(
                f"{name} is not evaluated by the test pre-processor", where, line_no
            )

    def file(self, path: Path, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise PreprocessError("maximum include depth reached", path, 0)
        self.files.append(path)
        cwd = path.parent
        in_comment_cmd = False
        for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(True), 1):
            line = _expand_globals(raw, self.variables)
            if "<include>" in raw or "</include>" in raw or "<?" in raw:
                continue
            if in_comment_cmd:
                end = line.find("-->")
                if end < 0:
                    continue
                in_comment_cmd = False
                line = line[end + 3 :]
            at = line.lower().find("x-pre-process")
            if at >= 0:
                if at == 0 or line[at - 1] != "<":
                    continue
                attrs = {k.lower(): v for k, v in _ATTR.findall(line[at:])}
                if "cmd" in attrs and "data" in attrs:
                    self.command(attrs["cmd"], attrs["data"], cwd, path, line_no, depth)
                continue
            hashed = line.find("<!--#")
            if hashed >= 0:
                self.out.append(line[:hashed])
                rest = line[hashed + 5 :]
                end = rest.find("-->")
                if end < 0:
                    in_comment_cmd = True
                else:
                    self.out.append(rest[end + 3 :])
                    rest = rest[:end]
                cmd, _, arg = rest.strip("\r\n").partition(" ")
                quoted = re.search(r'"([^"]*)"', arg)
                if quoted:
                    arg = quoted.group(1)
                if arg:
                    self.command(cmd, arg, cwd, path, line_no, depth)
                continue
            self.out.append(line)


def preprocess(
    main: Path,
    *,
    env: Mapping[str, str] | None = None,
    initial_globals: Mapping[str, str] | None = None,
) -> Preprocessed:
    """Pre-process ``main`` (usually freeswitch.xml) with ``env`` as the process environment."""
    defaults = {"conf_dir": str(main.parent), "local_ip_v4": "127.0.0.1"}
    run = _Run(env or {}, {**defaults, **(initial_globals or {})})
    run.file(main, 0)
    return Preprocessed("".join(run.out), run.variables, run.files)
