"""Stream a decrypted recording with HTTP Range (206/416), permission-checked and audited."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.responses import Response, StreamingResponse

from mediastore.recordings.models import Recording
from mediastore.store.http_range import parse_range
from mediastore.store.reader import RangeStream
from mediastore.store.store import MediaStore

AUDIO_TYPE = "audio/wav"


def _body(stream: RangeStream) -> Iterator[bytes]:
    with stream:
        yield from stream


def open_for_http(
    *, store: MediaStore, recording: Recording, range_header: str | None, download: bool
) -> tuple[Response, str]:
    """The response for one request and a short note of what was sent (for the audit log).

    Opening checks the key, header and size before any byte is sent.
    """
    reader = store.open(file_id=recording.file_id)
    try:
        decision = parse_range(None if download else range_header, length=reader.length)
        if decision.status == 416:
            reader.close()
            return (
                Response(
                    status_code=416,
                    headers={"Content-Range": decision.content_range or f"bytes */{reader.length}"},
                ),
                f"416 {range_header}",
            )
        stream = RangeStream(reader, start=decision.start, end=decision.end)
    except BaseException:
        reader.close()
        raise
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(decision.content_length),
        "Cache-Control": "no-store",
    }
    if decision.content_range:
        headers["Content-Range"] = decision.content_range
    if download:
        headers["Content-Disposition"] = f'attachment; filename="recording-{recording.id}.wav"'
    response = StreamingResponse(
        _body(stream), status_code=decision.status, headers=headers, media_type=AUDIO_TYPE
    )
    return response, f"{decision.status} bytes {decision.start}-{decision.end}/{reader.length}"
