"""freeswitch-conf/ is a complete, loadable FreeSWITCH 1.10 configuration with no secrets in it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.freeswitch_conf.conftest import ENV
from tests.freeswitch_conf.fsxml import Preprocessed, parse_trusted, preprocess

REQUIRED_MODULES = {
    "mod_sofia",
    "mod_event_socket",
    "mod_dptools",
    "mod_commands",
    "mod_spandsp",
    "mod_conference",
    "mod_sndfile",
    "mod_opus",
    "mod_local_stream",
    "mod_dialplan_xml",
}


def configuration(doc: ET.Element, name: str) -> ET.Element:
    section = next(s for s in doc.findall("section") if s.get("name") == "configuration")
    found = next((c for c in section.findall("configuration") if c.get("name") == name), None)
    assert found is not None, f"no {name} in the configuration section"
    return found


def params(element: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in element.iter("param")}


@pytest.mark.req("F-1.1.1")
def test_every_xml_file_is_read_and_the_document_parses(loaded: Preprocessed, conf_dir: Path):
    on_disk = {p.resolve() for p in conf_dir.rglob("*.xml")}
    assert {p.resolve() for p in loaded.files} == on_disk
    doc = loaded.parse()
    assert doc.tag == "document"
    assert {s.get("name") for s in doc.findall("section")} == {
        "configuration",
        "dialplan",
        "directory",
    }


@pytest.mark.req("F-1.1.1")
def test_each_file_is_well_formed_on_its_own_after_preprocessing(conf_dir: Path):
    for path in sorted(conf_dir.rglob("*.xml")):
        if path.name == "freeswitch.xml":
            continue
        text = preprocess(path, env=ENV).text
        parse_trusted(f"<wrap>{text}</wrap>")


@pytest.mark.req("F-1.1.1", "F-1.5.1")
def test_modules_loaded_are_the_required_ones(loaded: Preprocessed):
    modules = configuration(loaded.parse(), "modules.conf")
    names = {m.get("module") for m in modules.iter("load")}
    assert names >= REQUIRED_MODULES
    assert names - REQUIRED_MODULES <= {
        "mod_console",
        "mod_logfile",
        "mod_native_file",
        "mod_tone_stream",
    }


@pytest.mark.req("F-1.1.1")
def test_event_socket_listens_on_loopback_with_acl_and_env_password(loaded: Preprocessed):
    doc = loaded.parse()
    settings = params(configuration(doc, "event_socket.conf"))
    assert settings["listen-ip"] == "127.0.0.1"
    assert settings["password"] == ENV["MADOGUCHI_ESL_PASSWORD"]
    acl_name = settings["apply-inbound-acl"]
    lists = configuration(doc, "acl.conf").iter("list")
    acl = next(node for node in lists if node.get("name") == acl_name)
    assert acl.get("default") == "deny"
    assert {n.get("cidr") for n in acl.iter("node") if n.get("type") == "allow"} == {
        "127.0.0.1/32",
        "::1/128",
    }


@pytest.mark.req("F-1.1.1")
def test_without_the_environment_no_password_or_default_is_configured(conf_dir: Path):
    bare = preprocess(conf_dir / "freeswitch.xml", env={})
    settings = params(configuration(bare.parse(), "event_socket.conf"))
    assert settings["password"] == ""
    assert "ClueCon" not in bare.text


def test_no_secret_is_written_in_the_repository(conf_dir: Path):
    for path in conf_dir.rglob("*.xml"):
        text = path.read_text(encoding="utf-8")
        assert "ClueCon" not in text, path
        for node in parse_trusted(f"<w>{_strip_preprocess(text)}</w>").iter("param"):
            if "password" in (node.get("name") or ""):
                assert (node.get("value") or "").startswith("$${"), (path, node.attrib)


def _strip_preprocess(text: str) -> str:
    return "\n".join(
        line
        for line in text.splitlines()
        if "<include>" not in line and "</include>" not in line and "<?" not in line
    )


@pytest.mark.req("F-1.1.1")
def test_external_profile_takes_carrier_calls_into_public_with_env_gateway(loaded: Preprocessed):
    doc = loaded.parse()
    sofia = configuration(doc, "sofia.conf")
    profiles = {p.get("name"): p for p in sofia.iter("profile")}
    external = profiles["external"]
    settings = params(external.find("settings"))  # type: ignore[arg-type]
    assert settings["context"] == "public"
    assert settings["apply-inbound-acl"] == "carrier"
    gateway = next(g for g in external.iter("gateway") if g.get("name") == "carrier")
    gw = params(gateway)
    assert gw["proxy"] == ENV["MADOGUCHI_CARRIER_PROXY"]
    assert gw["username"] == ENV["MADOGUCHI_CARRIER_USERNAME"]
    assert gw["password"] == ENV["MADOGUCHI_CARRIER_PASSWORD"]
    carrier_acl = next(
        node
        for node in configuration(doc, "acl.conf").iter("list")
        if node.get("name") == "carrier"
    )
    assert carrier_acl.get("default") == "deny"


@pytest.mark.req("F-1.1.1")
def test_internal_profile_offers_wss_for_browser_agents(loaded: Preprocessed):
    sofia = configuration(loaded.parse(), "sofia.conf")
    internal = next(p for p in sofia.iter("profile") if p.get("name") == "internal")
    settings = params(internal.find("settings"))  # type: ignore[arg-type]
    assert settings["wss-binding"] == ":7443"
    assert settings["tls-cert-dir"] == loaded.globals["madoguchi_tls_dir"]
    assert settings["auth-calls"] == "true"
    assert settings["context"] == "default"


@pytest.mark.req("F-1.1.1")
def test_directory_has_forty_operators_and_supervisors_with_env_password(loaded: Preprocessed):
    directory = next(s for s in loaded.parse().findall("section") if s.get("name") == "directory")
    users = list(directory.iter("user"))
    roles = [
        next(v.get("value") for v in u.iter("variable") if v.get("name") == "madoguchi_role")
        for u in users
    ]
    assert roles.count("operator") >= 40
    assert roles.count("supervisor") >= 1
    passwords = {params(u)["password"] for u in users}
    assert passwords == {ENV["MADOGUCHI_AGENT_SIP_PASSWORD"]}


@pytest.mark.req("F-1.5.1")
def test_spandsp_and_recordings_paths(loaded: Preprocessed):
    doc = loaded.parse()
    fax = params(configuration(doc, "spandsp.conf"))
    assert fax["spool-dir"] == loaded.globals["madoguchi_fax_dir"]
    assert fax["spool-dir"].startswith(loaded.globals["madoguchi_recordings_dir"])
    assert fax["use-ecm"] == "true"
