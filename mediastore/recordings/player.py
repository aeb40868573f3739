"""The player page: the audio element with the transcript beside it (click a line to seek)."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from mediastore.recordings import service
from mediastore.recordings.context import viewer_of
from realtime.http.context import context_of

PLAYER_JS = """\
(function () {
  "use strict";
  var root = document.getElementById("player");
  var audio = document.getElementById("audio");
  var list = document.getElementById("transcript");
  var status = document.getElementById("transcript-status");
  function fmt(s) {
    var m = Math.floor(s / 60), r = Math.floor(s % 60);
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  fetch(root.dataset.transcript, {headers: {"Accept": "application/json"}})
    .then(function (r) { return r.json(); })
    .then(function (data) {
      if (data.job && data.job.status !== "done") {
        status.textContent = "文字起こし: " + data.job.status + " " + data.job.progress + "%";
      } else if (!data.segments.length) {
        status.textContent = "文字起こしはありません。";
      }
      data.segments.forEach(function (seg) {
        var li = document.createElement("li");
        li.className = "seg seg-" + seg.channel;
        var head = document.createElement("button");
        head.type = "button";
        head.textContent = fmt(seg.start) + " " + (seg.channel === "agent" ? "職員" : "相談者");
        head.addEventListener("click", function () {
          audio.currentTime = seg.start;
          audio.play();
        });
        li.appendChild(head);
        seg.words.forEach(function (w) {
          var span = document.createElement("span");
          span.textContent = w[2];
          span.addEventListener("click", function () { audio.currentTime = w[0]; audio.play(); });
          li.appendChild(span);
        });
        list.appendChild(li);
      });
    });
})();
"""


async def page(request: Request) -> Response:
    """The player for one recording (permission and ownership checked like the audio)."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    recording_id = request.path_params["recording_id"]

    def load() -> dict[str, object]:
        with ctx.db.session() as session:
            row = service.get_visible(session, viewer=viewer, recording_id=recording_id)
            return service.recording_json(row)

    info = await ctx.db.run(load)
    rid = escape(str(info["id"]))
    html = f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>録音 {rid}</title>
<link rel="stylesheet" href="/static/css/app.css"></head>
<body><main id="player" data-transcript="/api/media/recordings/{rid}/transcript">
<h1>通話録音</h1>
<p>担当: {escape(str(info["agent"]))} / 回線: {escape(str(info["line"]))} /
メニュー: {escape(str(info["menu"]))} / 長さ: {info["duration_s"]} 秒</p>
<audio id="audio" controls preload="metadata" src="/api/media/recordings/{rid}/audio"></audio>
<p id="transcript-status"></p>
<ol id="transcript"></ol>
</main><script src="/media/player.js"></script></body></html>"""
    return HTMLResponse(html)


async def script(request: Request) -> Response:
    """The player's script (served here: pages allow scripts from this site only)."""
    return Response(PLAYER_JS, media_type="text/javascript")
