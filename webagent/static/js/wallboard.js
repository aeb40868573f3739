// Wallboard: everything live over Socket.IO /supervisor (snapshot, then kpi / alert / floor).
"use strict";
(function () {
  const root = document.getElementById("wallboard");
  if (!root || !window.io) return;
  const status = document.getElementById("connection");
  const asOf = document.getElementById("as-of");
  const alertList = document.getElementById("alerts");
  const alertsEmpty = document.getElementById("alerts-empty");
  const ackResult = document.getElementById("ack-result");
  const floorEmpty = document.getElementById("floor-empty");
  const queueBody = document.querySelector("#queues tbody");
  const agentBody = document.querySelector("#agents tbody");
  const waitThreshold = Number(root.dataset.waitThreshold);
  const time = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const hm = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" });
  const STATES = {
    signed_out: "サインアウト", not_ready: "離席", ready: "待機", offered: "着信中",
    on_call: "通話中", held: "保留中", wrap_up: "後処理",
  };
  const alerts = new Map();
  let floor = null;
  let kpi = null;

  function setStatus(state, icon, label) {
    status.dataset.state = state;
    status.querySelector(".icon").textContent = icon;
    status.querySelector(".label").textContent = label;
  }

  function pct(v) { return v === null || v === undefined ? "—" : v.toFixed(1) + "%"; }
  function secs(v) {
    if (v === null || v === undefined) return "—";
    const s = Math.round(v);
    return s >= 60 ? Math.floor(s / 60) + "分" + String(s % 60).padStart(2, "0") + "秒" : s + "秒";
  }

  function tile(span, name, text, met) {
    const el = span.querySelector('[data-kpi="' + name + '"]');
    el.querySelector(".value").textContent = text;
    const state = el.querySelector(".state");
    if (!state) return;
    if (met === true) { el.dataset.state = "met"; state.textContent = "✔ 達成"; }
    else if (met === false) { el.dataset.state = "unmet"; state.textContent = "✖ 未達"; }
    else { el.dataset.state = "unknown"; state.textContent = "－ 判定なし"; }
  }

  function showSpan(id, fig, startIso) {
    const span = document.getElementById(id);
    tile(span, "service_level", pct(fig.service_level.value), fig.service_level.met);
    tile(span, "abandon_rate", pct(fig.abandon_rate.value), fig.abandon_rate.met);
    tile(span, "offered", fig.offered + "件");
    tile(span, "answered", fig.answered + "件");
    tile(span, "average_speed_of_answer", secs(fig.average_speed_of_answer.value));
    const t = span.querySelector('[data-field="span-time"]');
    if (t && startIso) t.textContent = hm.format(new Date(startIso)) + "〜";
  }

  function showKpi(data) {
    kpi = data;
    document.getElementById("kpi-empty").hidden = !!data;
    if (!data) return;
    showSpan("kpi-half_hour", data.half_hour, data.half_hour_start);
    showSpan("kpi-today", data.today, null);
    const items = document.getElementById("kpi-items");
    tile(items, "items_near", data.items.near + "件", data.items.near === 0 ? true : false);
    tile(items, "items_over", data.items.over + "件", data.items.over === 0 ? true : false);
    asOf.dateTime = data.as_of;
    asOf.textContent = time.format(new Date(data.as_of));
    renderQueues();
  }

  function renderAlerts() {
    const items = [...alerts.values()].sort((a, b) => (b.open - a.open) || (b.id - a.id));
    alertList.replaceChildren();
    alertsEmpty.hidden = items.some((a) => a.open);
    for (const a of items) {
      const li = document.createElement("li");
      li.dataset.severity = a.severity;
      li.dataset.open = String(a.open);
      li.dataset.alertId = String(a.id);
      const badge = document.createElement("span");
      badge.className = "badge";
      const icon = !a.open ? "✔ 解消" : a.severity === "critical" ? "⛔ 重大" : "⚠ 注意";
      badge.textContent = icon + "・" + a.kind_label;
      const msg = document.createElement("span");
      msg.className = "message";
      msg.textContent = a.message;
      const meta = document.createElement("span");
      meta.className = "meta";
      let text = "発生 " + time.format(new Date(a.raised_at));
      if (a.cleared_at) text += "／解消 " + time.format(new Date(a.cleared_at));
      if (a.acknowledged_by) text += "／確認済み（" + a.acknowledged_by + "）";
      meta.textContent = text;
      li.append(badge, msg, meta);
      if (a.open && !a.acknowledged_by) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "確認しました";
        button.setAttribute("aria-label", "警報「" + a.message + "」を確認済みにする");
        button.addEventListener("click", () => acknowledge(a.id, button));
        li.append(button);
      }
      alertList.append(li);
    }
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    try {
      const response = await fetch("/api/monitoring/alerts/" + id + "/acknowledge", {
        method: "POST", headers: { "X-CSRF-Token": root.dataset.csrf, "Accept": "application/json" },
      });
      let body = {};
      try { body = await response.json(); } catch (_) { body = {}; }
      if (response.ok) { upsertAlert(body.alert); ackResult.textContent = "✔ 警報を確認済みにしました。"; }
      else { ackResult.textContent = "⚠ " + (body.message || "確認できませんでした（" + response.status + "）。"); button.disabled = false; }
    } catch (_) {
      ackResult.textContent = "⚠ 確認できませんでした。ネットワークを確認してください。";
      button.disabled = false;
    }
  }

  function upsertAlert(a) { alerts.set(a.id, a); renderAlerts(); }

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    row.append(td);
    return td;
  }

  function renderQueues() {
    queueBody.replaceChildren();
    floorEmpty.hidden = floor !== null;
    const byId = new Map();
    if (kpi) for (const q of kpi.queues) byId.set(q.queue, q);
    const ids = floor ? floor.queues.map((q) => q.id) : [];
    for (const q of (floor ? floor.queues : [])) {
      const fig = byId.get(q.id);
      const tr = document.createElement("tr");
      const over = q.longest_wait_s > waitThreshold;
      tr.dataset.over = String(over);
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = q.name || q.id;
      tr.append(th);
      cell(tr, q.waiting + "件", "num");
      cell(tr, secs(q.longest_wait_s) + (over ? " ⚠ 基準超過" : ""), "num");
      cell(tr, fig ? pct(fig.half_hour.service_level.value) : "—", "num");
      cell(tr, fig ? pct(fig.today.service_level.value) : "—", "num");
      cell(tr, fig ? pct(fig.today.abandon_rate.value) : "—", "num");
      queueBody.append(tr);
    }
    if (!floor && kpi) {  // queues known only from today's records: no live waiting numbers
      for (const fig of kpi.queues) {
        if (ids.includes(fig.queue)) continue;
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = fig.queue;
        tr.append(th);
        cell(tr, "—", "num"); cell(tr, "—", "num");
        cell(tr, pct(fig.half_hour.service_level.value), "num");
        cell(tr, pct(fig.today.service_level.value), "num");
        cell(tr, pct(fig.today.abandon_rate.value), "num");
        queueBody.append(tr);
      }
    }
  }

  function renderAgents() {
    agentBody.replaceChildren();
    if (!floor) return;
    for (const a of floor.agents) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = a.name || a.id;
      tr.append(th);
      cell(tr, (STATES[a.state] || a.state) + (a.reason ? "（" + a.reason + "）" : ""));
      const since = cell(tr, "", "num");
      since.dataset.since = a.state_since;
      const c = a.contact;
      cell(tr, c ? [c.channel_label || c.channel, c.queue, c.id].filter(Boolean).join("・") : "—");
      agentBody.append(tr);
    }
    tickAgents();
  }

  function tickAgents() {
    const now = Date.now();
    for (const td of agentBody.querySelectorAll("td[data-since]")) {
      td.textContent = secs(Math.max(0, (now - Date.parse(td.dataset.since)) / 1000));
    }
  }

  function showFloor(data) { floor = data || null; renderQueues(); renderAgents(); }

  const socket = window.io("/supervisor", { transports: ["websocket"] });
  socket.on("connect", () => setStatus("online", "●", "接続中（リアルタイム）"));
  socket.on("disconnect", () => setStatus("offline", "✕", "切断されました。再接続しています…"));
  socket.on("connect_error", () => setStatus("offline", "✕", "接続できません。再接続しています…"));
  socket.on("snapshot", (state) => {
    alerts.clear();
    for (const a of state.alerts || []) alerts.set(a.id, a);
    renderAlerts();
    showFloor(state.floor === undefined ? null : state.floor);
    showKpi(state.kpi || null);
  });
  socket.on("alert", upsertAlert);
  socket.on("kpi", showKpi);
  socket.on("floor", showFloor);
  socket.on("session_ended", () => { socket.close(); window.location.assign("/signin"); });
  setInterval(tickAgents, 1000);
})();
