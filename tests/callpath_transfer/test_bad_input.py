"""Refused transfer requests: unknown destinations, nothing to complete, no call, bad bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.callpath.harness import running, scenario
from tests.callpath_transfer.support import connected_call, transfer_http, wait_bridged


@pytest.mark.req("F-1.1.3", "N-SEC-6")
@scenario
async def test_bad_transfer_requests_are_refused_with_clear_errors(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        status, body = await transfer_http(op1, {"action": "blind", "dept_id": "D02"})
        assert (status, body["error"]) == (409, "transfer-no-call")
        assert body["message"] == "転送できる通話がありません。"
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid or ""
        cases = [
            ({"action": "blind", "dept_id": "D99"}, 404, "transfer-unknown-destination"),
            ({"action": "blind", "queue_id": "q_nowhere"}, 404, "transfer-unknown-destination"),
            ({"action": "blind", "agent": "nobody"}, 404, "transfer-unknown-destination"),
            ({"action": "complete"}, 409, "transfer-not-consulting"),
            ({"action": "cancel"}, 409, "transfer-not-consulting"),
            ({"action": "blind", "dept_id": "D02", "queue_id": "q_tax"}, 422, "validation-failed"),
            ({"action": "consult"}, 422, "validation-failed"),
            ({"action": "complete", "dept_id": "D02"}, 422, "validation-failed"),
            ({"action": "consult", "queue_id": "q_tax"}, 422, "validation-failed"),
            ({"action": "park", "dept_id": "D02"}, 422, "validation-failed"),
            ({"action": "blind", "dept_id": 7}, 422, "validation-failed"),
        ]
        for request, code, error in cases:
            status, body = await transfer_http(op1, request)
            assert (status, body["error"]) == (code, error), request
        two = await transfer_http(op1, {"action": "blind", "dept_id": "D02", "agent": "op2"})
        assert set(two[1]["fields"]) == {"dept_id", "agent"}
        ack = await op1.socket.call("transfer", {"action": "blind", "dept_id": "D99"})
        assert ack["error"] == "transfer-unknown-destination"
        # Nothing happened to the call.
        await wait_bridged(rig, call.uuid, agent_uuid)
        assert rig.path.engine.agent("op1").state.value == "on_call"
        assert "contact.transferred" not in rig.types(contact)
