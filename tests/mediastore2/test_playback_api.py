"""Search, playback with Range, download: permission-checked, ownership-scoped and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from mediastore.crypto.keyring import Keyring
from mediastore.recordings.context import store_of
from mediastore.store.store import MediaStore
from realtime.audit.models import AuditEntry
from realtime.auth.permissions import Role
from tests.mediastore2.conftest import T0, Web, close_interaction

JSON = {"Accept": "application/json"}


def _plain(web: Web, file_id: str) -> bytes:
    with web.store.read_all(file_id=file_id) as stream:
        return b"".join(stream)


def _audit(web: Web, action: str) -> list[AuditEntry]:
    with web.db.session() as session:
        return list(
            session.exec(
                select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.seq))
            ).all()
        )


@pytest.mark.req("F-2.2.1", "N-SEC-3")
def test_range_requests_return_the_exact_bytes_and_each_playback_is_audited(web: Web) -> None:
    row = web.ingest(contact_id="c-1", agent="sv1", seconds=2.0)
    plain = _plain(web, row.file_id)
    size = len(plain)
    client, _ = web.client("sv1", Role.SUPERVISOR)
    url = f"/api/media/recordings/{row.id}/audio"

    whole = client.get(url)
    assert whole.status_code == 200
    assert whole.content == plain
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "audio/wav"

    part = client.get(url, headers={"Range": "bytes=1000-2999"})
    assert part.status_code == 206
    assert part.content == plain[1000:3000]
    assert part.headers["content-range"] == f"bytes 1000-2999/{size}"

    tail = client.get(url, headers={"Range": "bytes=-500"})
    assert (tail.status_code, tail.content) == (206, plain[-500:])
    opened = client.get(url, headers={"Range": f"bytes={size - 10}-"})
    assert (opened.status_code, opened.content) == (206, plain[-10:])
    beyond = client.get(url, headers={"Range": f"bytes={size + 5}-{size + 100}"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"
    assert beyond.content == b""

    plays = _audit(web, "recording.play")
    assert [p.target for p in plays] == [row.id] * 5
    assert {p.actor for p in plays} == {"sv1"}
    assert plays[-1].outcome == "refused"
    assert "bytes 1000-3000" in plays[1].detail


@pytest.mark.req("F-2.2.1", "N-SEC-1")
def test_agents_play_only_their_own_calls_and_cannot_download(web: Web) -> None:
    mine = web.ingest(contact_id="c-1", agent="op1")
    other = web.ingest(contact_id="c-2", agent="op2")
    client, _ = web.client("op1", Role.OPERATOR)
    assert client.get(f"/api/media/recordings/{mine.id}/audio").status_code == 200
    refused = client.get(f"/api/media/recordings/{other.id}/audio", headers=JSON)
    assert refused.status_code == 404
    assert refused.json()["error"] == "recording-not-found"
    download = client.get(f"/api/media/recordings/{mine.id}/download", headers=JSON)
    assert download.status_code == 403
    listing = client.get("/api/media/recordings", headers=JSON).json()
    assert [i["id"] for i in listing["items"]] == [mine.id]
    assert [p.target for p in _audit(web, "recording.play")] == [mine.id]


@pytest.mark.req("F-2.2.1", "N-SEC-1")
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SUPERVISOR, True),
        (Role.CENTER_MANAGER, True),
        (Role.QA_MONITOR, False),
        (Role.OPERATOR, False),
        (Role.SYSTEM_ADMIN, False),
    ],
)
def test_downloads_are_for_supervisors_and_the_center_manager_and_audited(
    web: Web, role: Role, allowed: bool
) -> None:
    row = web.ingest(contact_id="c-1", agent="someone")
    client, _ = web.client("user1", role)
    response = client.get(f"/api/media/recordings/{row.id}/download", headers=JSON)
    downloads = _audit(web, "recording.download")
    if allowed:
        assert response.status_code == 200
        assert response.headers["content-disposition"] == (
            f'attachment; filename="recording-{row.id}.wav"'
        )
        assert response.content == _plain(web, row.file_id)
        assert [(d.actor, d.target) for d in downloads] == [("user1", row.id)]
    else:
        assert response.status_code == 403
        assert downloads == []


@pytest.mark.req("F-2.2.1", "N-SEC-3")
def test_playback_with_a_missing_or_tampered_file_fails_clearly(web: Web) -> None:
    row = web.ingest(contact_id="c-1", agent="sv1", seconds=10.0)  # 160 kB: three chunks
    client, _ = web.client("sv1", Role.SUPERVISOR)
    path = web.store.path_for(row.file_id)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    tampered = client.get(f"/api/media/recordings/{row.id}/audio", headers={"Range": "bytes=0-99"})
    assert tampered.status_code == 206  # the first chunk is intact and authenticated
    with pytest.raises(RuntimeError) as broken:  # the server ends the stream at the bad chunk
        client.get(f"/api/media/recordings/{row.id}/audio")
    assert getattr(broken.value.__cause__, "error_id", "") == "media-tampered"
    other_key = MediaStore(
        root=web.store.root, keyring=Keyring(keys={"k9": b"\x01" * 32}, active_id="k9")
    )
    web.app.ctx.extras["media_store"] = other_key
    missing_key = client.get(f"/api/media/recordings/{row.id}/audio", headers=JSON)
    # Server faults (>= 500) reach the client only as internal-error with a reference number.
    assert missing_key.status_code == 500, missing_key.text
    assert missing_key.json()["error"] == "internal-error"
    assert b"RIFF" not in missing_key.content
    web.app.ctx.extras["media_store"] = web.store
    path.unlink()
    gone = client.get(f"/api/media/recordings/{row.id}/audio", headers=JSON)
    assert gone.status_code == 404
    assert store_of(web.app.ctx) is web.store


@pytest.mark.req("F-2.2.1")
def test_search_filters_by_period_agent_line_menu_duration_and_outcome(web: Web) -> None:
    a = web.ingest(contact_id="c-a", agent="op1", did="0311110000", menu="1", seconds=1.0)
    b = web.ingest(
        contact_id="c-b",
        agent="op2",
        did="0322220000",
        menu="2",
        seconds=3.0,
        start=T0 + timedelta(days=1, hours=3),
    )
    c = web.ingest(
        contact_id="c-c", agent="op2", did="0311110000", menu="2", start=T0 + timedelta(days=2)
    )
    close_interaction(web.db, contact_id="c-b", outcome="handoff")
    close_interaction(web.db, contact_id="c-c", outcome="answered")
    client, _ = web.client("qa1", Role.QA_MONITOR)

    def ids(query: str) -> list[str]:
        response = client.get("/api/media/recordings?" + query, headers=JSON)
        assert response.status_code == 200, response.text
        return sorted(i["id"] for i in response.json()["items"])

    assert ids("") == sorted([a.id, b.id, c.id])
    assert ids("agent=op2") == sorted([b.id, c.id])
    assert ids("line=0311110000") == sorted([a.id, c.id])
    assert ids("menu=2&agent=op2") == sorted([b.id, c.id])
    assert ids("min_duration=2") == [b.id]
    assert ids("max_duration=1.5") == sorted([a.id, c.id])
    assert ids("outcome=handoff") == [b.id]
    assert ids("from=2026-04-02&to=2026-04-02") == [b.id]
    assert ids("from=2026-04-02T13:00&to=2026-04-03T09:00") == [b.id]
    assert ids("from=2026-04-02T13:30") == [c.id]
    bad = client.get("/api/media/recordings?from=yesterday&outcome=lost", headers=JSON)
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"from"}
    detail = client.get(f"/api/media/recordings/{b.id}", headers=JSON).json()
    assert (detail["outcome"], detail["line"], detail["duration_s"]) == ("handoff", "0322220000", 3)


@pytest.mark.req("F-2.2.1")
def test_the_player_page_shows_the_audio_and_loads_the_transcript(web: Web) -> None:
    row = web.ingest(contact_id="c-1", agent="op1")
    client, _ = web.client("op1", Role.OPERATOR)
    page = client.get(f"/media/recordings/{row.id}")
    assert page.status_code == 200
    assert f'src="/api/media/recordings/{row.id}/audio"' in page.text
    assert f'data-transcript="/api/media/recordings/{row.id}/transcript"' in page.text
    script = client.get("/media/player.js")
    assert "currentTime" in script.text
    assert script.headers["content-type"].startswith("text/javascript")
