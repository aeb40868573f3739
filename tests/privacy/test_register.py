"""The personal data register (crm/pii/inventory.py) matches the schema and its document."""

from __future__ import annotations

from pathlib import Path

import pytest

import realtime.models_index as index
from crm.pii.inventory import (
    CITIZEN_DATA,
    GUARDED,
    LOOKS_PERSONAL,
    NOT_CITIZEN_DATA,
    PERMITTED,
    Form,
    classification,
    render,
)
from inbox.scan.service import neutral_name

REPO = Path(__file__).resolve().parents[2]


def _columns() -> set[str]:
    return {f"{t.name}.{c.name}" for t in index.metadata.sorted_tables for c in t.columns}


@pytest.mark.req("N-PRIV-3")
def test_every_column_that_could_hold_personal_data_is_classified_in_the_register() -> None:
    unclassified = sorted(
        place
        for place in _columns()
        if LOOKS_PERSONAL.search(place.split(".", 1)[1]) and classification(place) is None
    )
    assert unclassified == [], "classify these in crm/pii/inventory.py"


@pytest.mark.req("N-PRIV-3")
def test_the_register_names_only_real_columns_and_only_the_permitted_categories() -> None:
    columns = _columns()
    places = [h.place for h in CITIZEN_DATA if not h.place.startswith("media:")]
    missing = [p for p in [*places, *GUARDED, *NOT_CITIZEN_DATA] if p not in columns]
    assert missing == []
    for holding in CITIZEN_DATA:
        assert holding.categories, holding.place
        assert set(holding.categories) <= set(PERMITTED), holding.place
    everywhere = [*places, *GUARDED, *NOT_CITIZEN_DATA]
    assert len(everywhere) == len(set(everywhere)), "a column is in two parts of the register"


@pytest.mark.req("N-PRIV-3")
def test_citizen_data_in_the_database_is_sealed_or_masked_never_plain() -> None:
    for holding in CITIZEN_DATA:
        if holding.place.startswith("media:"):
            assert holding.form is Form.MEDIA
        elif holding.place.endswith(("_enc", "_sealed")):
            assert holding.form is Form.SEALED, holding.place
        else:
            assert holding.form is Form.MASKED, holding.place


@pytest.mark.req("N-PRIV-3")
def test_docs_personal_data_is_the_register_as_generated() -> None:
    assert (REPO / "docs" / "personal-data.md").read_text(encoding="utf-8") == render()


@pytest.mark.req("N-PRIV-3")
@pytest.mark.parametrize(
    ("attached", "kept"),
    [
        ("山田花子_申請書.pdf", "添付ファイル.pdf"),
        ("Scan 090-1234-5678.JPG", "添付ファイル.jpg"),
        ("申請書", "添付ファイル"),
        ("report.exe.", "添付ファイル"),
        (".bashrc", "添付ファイル"),
        ("写真.日本語", "添付ファイル"),
        ("", ""),
    ],
)
def test_an_attachment_name_is_kept_as_its_extension_only(attached: str, kept: str) -> None:
    assert neutral_name(attached) == kept
