"""QA evaluation forms: criteria with maximum scores, evaluations, visibility, monthly averages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from realtime.auth.permissions import Role
from tests.mediastore2.conftest import T0, Web

JSON = {"Accept": "application/json"}


def _post(client: TestClient, token: str, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json=body, headers={"X-CSRF-Token": token, **JSON})


def _form(client: TestClient, token: str) -> dict[str, Any]:
    response = _post(
        client,
        token,
        "/api/media/qa/forms",
        {
            "name": "通話品質シート",
            "criteria": [
                {"label": "名乗り・挨拶", "max_score": 5},
                {"label": "本人確認の手順", "max_score": 10},
                {"label": "正確な案内", "max_score": 5},
            ],
        },
    )
    assert response.status_code == 201, response.text
    form: dict[str, Any] = response.json()
    return form


def _scores(form: dict[str, Any], *values: int) -> dict[str, int]:
    return {str(c["id"]): v for c, v in zip(form["criteria"], values, strict=True)}


@pytest.mark.req("F-2.2.2")
def test_forms_validate_criteria_and_evaluations_validate_scores(web: Web) -> None:
    rec = web.ingest(contact_id="c-1", agent="op1")
    qa, token = web.client("qa1", Role.QA_MONITOR)
    bad = _post(
        qa,
        token,
        "/api/media/qa/forms",
        {"name": "", "criteria": [{"label": "x", "max_score": 0}, {"max_score": 5}]},
    )
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {
        "name",
        "criteria.1.max_score",
        "criteria.2.label",
    }
    form = _form(qa, token)
    assert form["max_total"] == 20
    url = f"/api/media/recordings/{rec.id}/evaluations"
    too_high = _post(qa, token, url, {"form_id": form["id"], "scores": _scores(form, 6, 10, 5)})
    assert too_high.status_code == 422
    missing = _post(qa, token, url, {"form_id": form["id"], "scores": {}})
    assert missing.status_code == 422
    assert len(missing.json()["fields"]) == 3
    ok = _post(
        qa,
        token,
        url,
        {
            "form_id": form["id"],
            "scores": _scores(form, 4, 8, 5),
            "comments": {str(form["criteria"][1]["id"]): "生年月日の確認が抜けた"},
            "comment": "丁寧な対応",
        },
    )
    assert ok.status_code == 201, ok.text
    body = ok.json()
    assert (body["agent"], body["evaluator"], body["total"], body["percent"]) == (
        "op1",
        "qa1",
        17,
        85.0,
    )
    assert body["scores"][1]["comment"] == "生年月日の確認が抜けた"
    nobody = _post(qa, token, "/api/media/recordings/nobody/evaluations", {"form_id": 1})
    assert nobody.status_code == 404


@pytest.mark.req("F-2.2.2", "N-PRIV-3")
def test_a_qa_comment_naming_the_caller_or_giving_a_number_is_refused_and_nothing_is_stored(
    web: Web,
) -> None:
    rec = web.ingest(contact_id="c-1", agent="op1")
    qa, token = web.client("qa1", Role.QA_MONITOR)
    form = _form(qa, token)
    url = f"/api/media/recordings/{rec.id}/evaluations"
    second = str(form["criteria"][1]["id"])
    refused = _post(
        qa,
        token,
        url,
        {
            "form_id": form["id"],
            "scores": _scores(form, 4, 8, 5),
            "comments": {second: "折り返し先 090-3322-1144 を復唱せず"},
            "comment": "山田太郎様への説明は丁寧",
        },
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "personal-data-found"
    assert set(body["fields"]) == {"comment", f"comments.{second}"}
    assert "090-3322-1144" not in refused.text
    listed = qa.get("/api/media/qa/evaluations", headers=JSON)
    assert listed.status_code == 200
    assert listed.json()["evaluations"] == []


@pytest.mark.req("F-2.2.2", "N-SEC-1")
def test_agents_see_only_their_evaluations_supervisors_all_with_monthly_averages(
    web: Web,
) -> None:
    april_1 = web.ingest(contact_id="c-1", agent="op1")
    april_2 = web.ingest(contact_id="c-2", agent="op1", start=T0 + timedelta(days=3))
    may = web.ingest(contact_id="c-3", agent="op1", start=T0 + timedelta(days=40))
    other = web.ingest(contact_id="c-4", agent="op2")
    sv, token = web.client("sv1", Role.SUPERVISOR)
    form = _form(sv, token)
    for rec, values in (
        (april_1, (5, 10, 5)),
        (april_2, (3, 5, 2)),
        (may, (4, 6, 4)),
        (other, (1, 1, 1)),
    ):
        url = f"/api/media/recordings/{rec.id}/evaluations"
        response = _post(sv, token, url, {"form_id": form["id"], "scores": _scores(form, *values)})
        assert response.status_code == 201

    everyone = sv.get("/api/media/qa/evaluations", headers=JSON).json()["evaluations"]
    assert sorted(e["agent"] for e in everyone) == ["op1", "op1", "op1", "op2"]
    averages = sv.get("/api/media/qa/averages", headers=JSON).json()["averages"]
    assert averages == [
        {
            "agent": "op1",
            "month": "2026-04",
            "evaluations": 2,
            "average_total": 15.0,
            "average_percent": 75.0,
        },
        {
            "agent": "op1",
            "month": "2026-05",
            "evaluations": 1,
            "average_total": 14.0,
            "average_percent": 70.0,
        },
        {
            "agent": "op2",
            "month": "2026-04",
            "evaluations": 1,
            "average_total": 3.0,
            "average_percent": 15.0,
        },
    ]
    in_may = sv.get("/api/media/qa/averages?from=2026-05-01&agent=op1", headers=JSON).json()
    assert [a["month"] for a in in_may["averages"]] == ["2026-05"]

    op2, op2_token = web.client("op2", Role.OPERATOR)
    mine = op2.get("/api/media/qa/evaluations", headers=JSON).json()["evaluations"]
    assert [e["recording_id"] for e in mine] == [other.id]
    snooping = op2.get("/api/media/qa/averages?agent=op1", headers=JSON).json()["averages"]
    assert snooping == []
    refused = _post(
        op2,
        op2_token,
        f"/api/media/recordings/{other.id}/evaluations",
        {"form_id": form["id"], "scores": _scores(form, 5, 10, 5)},
    )
    assert refused.status_code == 403
