// Home page: live notices over Socket.IO (websocket only), and the notice form.
"use strict";
(function () {
  const live = document.getElementById("live");
  const list = document.getElementById("announcements");
  const status = document.getElementById("connection");
  const empty = document.getElementById("announcements-empty");
  const formatter = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" });

  function setStatus(state, icon, label) {
    if (!status) return;
    status.dataset.state = state;
    status.querySelector(".icon").textContent = icon;
    status.querySelector(".label").textContent = label;
  }

  function show(items) {
    list.replaceChildren();
    if (empty) empty.hidden = items.length > 0;
    for (const item of items) add(item, false);
  }

  function add(item, prepend) {
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = item.at;
    time.textContent = formatter.format(new Date(item.at));
    li.append(time, " ", item.text);
    if (prepend) list.prepend(li); else list.append(li);
    if (empty) empty.hidden = true;
  }

  if (live && window.io) {
    const socket = window.io(live.dataset.namespace, { transports: ["websocket"] });
    socket.on("connect", () => setStatus("online", "●", "接続中（リアルタイム）"));
    socket.on("disconnect", () => setStatus("offline", "✕", "切断されました。再接続しています…"));
    socket.on("connect_error", () => setStatus("offline", "✕", "接続できません。再接続しています…"));
    socket.on("snapshot", (state) => show(state.announcements || []));
    socket.on("announcement", (item) => add(item, true));
    socket.on("session_ended", () => { socket.close(); window.location.assign("/signin"); });
  }

  const form = document.getElementById("announce-form");
  if (form) {
    const text = document.getElementById("announce-text");
    const result = document.getElementById("announce-result");
    const button = form.querySelector("button[type=submit]");
    let sending = false;
    async function send(event) {
      if (event) event.preventDefault();
      if (sending) return;
      sending = true;
      button.disabled = true;
      try {
        const response = await fetch("/api/announcements", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
          body: JSON.stringify({ text: text.value }),
        });
        let body = {};
        try { body = await response.json(); } catch (_) { body = {}; }
        if (response.ok) { result.textContent = "✔ 送信しました。"; text.value = ""; }
        else {
          const reason = body.fields && body.fields.text ? body.fields.text : body.message;
          result.textContent = "⚠ " + (reason || "送信できませんでした（" + response.status + "）。");
        }
      } catch (_) {
        result.textContent = "⚠ 送信できませんでした。ネットワークを確認して、もう一度お試しください。";
      } finally {
        sending = false;
        button.disabled = false;
      }
    }
    form.addEventListener("submit", send);
    text.addEventListener("keydown", (e) => { if (e.ctrlKey && e.key === "Enter") send(e); });
  }
})();
