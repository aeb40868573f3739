// Adherence screen: today's rows follow the /supervisor "adherence" push (wfm/adherence/live.py).
"use strict";
(function () {
  const table = document.getElementById("adherence-agents");
  if (!table || table.dataset.live !== "true" || !window.io) return;
  const status = document.getElementById("adherence-live");
  const STATES = {
    signed_out: "signed_out", not_ready: "not_ready", ready: "ready", offered: "offered",
    on_call: "on_call", held: "held", wrap_up: "wrap_up",
  };
  const hm = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" });

  function pct(v) { return v === null || v === undefined ? "-" : (v * 100).toFixed(1) + "%"; }

  function apply(row) {
    const tr = table.querySelector('tr[data-agent="' + CSS.escape(row.agent) + '"]');
    if (!tr) return;
    const set = (field, text) => {
      const cell = tr.querySelector('[data-field="' + field + '"]');
      if (cell) cell.textContent = text;
    };
    set("scheduled_min", String(row.scheduled_min));
    set("adherent_min", String(row.adherent_min));
    set("adherence", pct(row.adherence));
    const since = row.since ? "（" + hm.format(new Date(row.since)) + " から）" : "";
    set("state_now", (STATES[row.actual] || row.actual) + since);
    set("exceptions", String(row.exceptions));
    tr.dataset.adherent = row.adherent ? "true" : "false";
    const mark = tr.querySelector('[data-field="adherent"]');
    if (mark) mark.textContent = row.adherent ? "✔ 遵守" : "✖ 逸脱";
  }

  const socket = window.io("/supervisor", { transports: ["websocket"] });
  socket.on("connect", () => { if (status) status.textContent = "自動更新中"; });
  socket.on("disconnect", () => { if (status) status.textContent = "自動更新が切れました（再接続中）"; });
  socket.on("snapshot", (snap) => { (snap.adherence || []).forEach(apply); });
  socket.on("adherence", apply);
})();
