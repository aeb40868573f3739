"""The pre-processor behaves like switch_xml.c's line-based ``preprocess``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.freeswitch_conf.fsxml import PreprocessError, preprocess


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_set_and_global_references(tmp_path: Path):
    main = write(
        tmp_path / "main.xml",
        '<X-PRE-PROCESS cmd="set" data="a = one"/>\n'
        '<X-PRE-PROCESS cmd="set" data="b=$${a}-two"/>\n'
        '<doc x="$${b}" y="$${missing}"/>\n',
    )
    result = preprocess(main)
    assert result.globals["a"] == "one"
    assert result.parse().attrib == {"x": "one-two", "y": ""}


def test_env_set_reads_the_environment_only_with_a_dollar(tmp_path: Path):
    main = write(
        tmp_path / "main.xml",
        '<X-PRE-PROCESS cmd="env-set" data="pw=$SECRET"/>\n'
        '<X-PRE-PROCESS cmd="env-set" data="literal=SECRET"/>\n'
        '<X-PRE-PROCESS cmd="env-set" data="unset=$NOT_THERE"/>\n'
        '<doc pw="$${pw}"/>\n',
    )
    result = preprocess(main, env={"SECRET": "s3"})
    assert result.parse().get("pw") == "s3"
    assert "literal" not in result.globals
    assert "unset" not in result.globals


def test_include_globs_relative_to_the_including_file_in_sorted_order(tmp_path: Path):
    write(tmp_path / "sub" / "b.xml", "<include>\n<item n='b'/>\n</include>\n")
    write(tmp_path / "sub" / "a.xml", "<include>\n<item n='a'/>\n</include>\n")
    write(tmp_path / "sub" / "nested" / "c.xml", "<item n='c'/>\n")
    write(tmp_path / "sub" / "z.xml", '<X-PRE-PROCESS cmd="include" data="nested/*.xml"/>\n')
    main = write(
        tmp_path / "main.xml",
        '<?xml version="1.0"?>\n<doc>\n<X-PRE-PROCESS cmd="include" data="sub/*.xml"/>\n</doc>\n',
    )
    doc = preprocess(main).parse()
    assert [i.get("n") for i in doc.iter("item")] == ["a", "b", "c"]


def test_lines_mentioning_the_instruction_without_angle_bracket_are_dropped(tmp_path: Path):
    main = write(
        tmp_path / "main.xml",
        "<doc>\n<keep/>\n<!-- X-PRE-PROCESS in a comment --> <lost/>\n</doc>\n",
    )
    doc = preprocess(main).parse()
    assert doc.find("keep") is not None
    assert doc.find("lost") is None


def test_exec_is_refused(tmp_path: Path):
    main = write(tmp_path / "main.xml", '<X-PRE-PROCESS cmd="exec" data="cat /etc/passwd"/>\n')
    with pytest.raises(PreprocessError, match="exec"):
        preprocess(main)


def test_include_loop_is_stopped(tmp_path: Path):
    main = write(tmp_path / "main.xml", '<X-PRE-PROCESS cmd="include" data="main.xml"/>\n')
    with pytest.raises(PreprocessError, match="depth"):
        preprocess(main)
