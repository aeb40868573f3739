"""The history form and the API refuse to save while personal data is found (N-PRIV-1)."""

from __future__ import annotations

import pytest

from crm.pii.guard import PersonalDataFound, ensure_no_personal_data, find_personal_data
from realtime.errors import MadoguchiError

pytestmark = pytest.mark.req("N-PRIV-1")


def test_clean_fields_pass() -> None:
    ensure_no_personal_data(
        fields={"answer": "住民税の納付方法を案内。コンビニ納付可。", "memo": "内線2201へ取次ぎ"}
    )


def test_fields_with_personal_data_are_refused_with_a_japanese_reason_per_field() -> None:
    with pytest.raises(PersonalDataFound) as caught:
        ensure_no_personal_data(
            fields={
                "answer": "山田様へ090-1234-5678で折り返し",
                "memo": "国保の加入手続きを案内",
                "note": "送付先 taro@example.com",
            }
        )
    error = caught.value
    assert isinstance(error, MadoguchiError)
    assert error.status_code == 422
    body = error.public()
    assert body["error"] == "personal-data-found"
    assert set(body["fields"]) == {"answer", "note"}
    assert body["fields"]["answer"] == "氏名・電話・FAX番号が含まれています。"
    assert body["fields"]["note"] == "メールアドレスが含まれています。"
    assert "090" not in str(body)
    assert error.spans()["answer"] == [
        {"type": "name", "start": 0, "end": 2},
        {"type": "phone", "start": 4, "end": 17},
    ]


def test_find_personal_data_lists_only_fields_with_findings() -> None:
    found = find_personal_data(fields={"a": "南池袋2丁目45番1号", "b": "1-3月は混雑"})
    assert list(found) == ["a"]
    assert found["a"][0].text == "南池袋2丁目45番1号"
