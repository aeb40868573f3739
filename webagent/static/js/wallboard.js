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
  const ICONS = { signed_out: "✕", not_ready: "■", ready: "●", offered: "☎", on_call: "☎", held: "‖", wrap_up: "✎" };
  const REASONS = {
    break: "休憩", meeting: "打合せ", training: "研修", other_work: "その他の業務",
    no_answer: "応答なし", wrapup_forced: "後処理の強制終了", signed_in: "サインイン直後",
  };
  const MODES = { listen: "傍聴", whisper: "ささやき", barge: "割込み" };
  const can = {
    supervise: root.dataset.supervise === "true",
    stop: root.dataset.superviseStop === "true",
    notReady: root.dataset.notReady === "true",
    force: root.dataset.forceWrapup === "true",
    live: root.dataset.live === "true",
  };
  const controls = can.supervise || can.notReady || can.force;
  const svResult = document.getElementById("sv-result");
  const alerts = new Map();
  let floor = null;
  let kpi = null;
  // The call path's own view (switch/callpath): agents by username, queues, monitors by contact.
  let callpath = null;
  const monitors = new Map();

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
    floorEmpty.hidden = floor !== null || callpath !== null;
    if (!floor && callpath) {
      const byId = new Map();
      if (kpi) for (const q of kpi.queues) byId.set(q.queue, q);
      for (const [id, q] of Object.entries(callpath.queues || {})) {
        const fig = byId.get(id);
        const tr = document.createElement("tr");
        tr.dataset.queue = id;
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = q.label || id;
        tr.append(th);
        cell(tr, q.waiting + "件", "num");
        const longest = typeof q.longest_wait_s === "number" ? q.longest_wait_s : null;
        const over = longest !== null && longest > waitThreshold;
        cell(tr, longest === null ? "—" : secs(longest) + (over ? " ⚠ 基準超過" : ""), "num");
        cell(tr, fig ? pct(fig.half_hour.service_level.value) : "—", "num");
        cell(tr, fig ? pct(fig.today.service_level.value) : "—", "num");
        cell(tr, fig ? pct(fig.today.abandon_rate.value) : "—", "num");
        queueBody.append(tr);
      }
      return;
    }
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

  function button(text, label, onclick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", () => onclick(b));
    return b;
  }
  function agentControls(name, a) {
    const td = document.createElement("td");
    td.className = "actions";
    const busy = a.state === "on_call" || a.state === "held";
    const watching = a.contact_id ? monitors.get(a.contact_id) : null;
    if (can.supervise && busy && a.contact_id) {
      for (const [mode, text] of Object.entries(MODES)) {
        const icon = { listen: "◎ ", whisper: "… ", barge: "⇄ " }[mode];
        const b = button(icon + text, name + " の通話を" + text, () => supervise(a.contact_id, mode, b));
        if (watching && watching.mode === mode) b.setAttribute("aria-pressed", "true");
        td.append(b, " ");
      }
    }
    if (can.stop && watching && watching.mode) {
      const b = button("■ 傍聴をやめる", name + " の通話の傍聴・ささやき・割込みをやめる", () => post("/api/callpath/supervise/stop", { contact_id: a.contact_id }, "傍聴をやめました。", b));
      td.append(b, " ");
    }
    if (can.notReady && a.state === "ready") {
      const b = button("■ 受付不可にする", name + " を受付不可にする", () => post("/api/callpath/agents/not-ready", { agent: name, reason: reason() }, name + " を受付不可にしました。", b));
      td.append(b, " ");
    }
    if (can.force && a.state === "wrap_up") {
      const b = button("✎ 強制後処理終了", name + " の後処理を強制終了する", () => post("/api/callpath/wrapup/force", { agent: name, reason: reason() }, name + " の後処理を終了しました。", b));
      td.append(b);
    }
    if (!td.childNodes.length) td.textContent = "—";
    return td;
  }
  function reason() {
    const input = document.getElementById("sv-reason");
    return (input && input.value.trim()) || "スーパーバイザーの判断";
  }
  async function post(url, body, done, b) {
    if (b) b.disabled = true;
    try {
      const response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf, "Accept": "application/json" },
        body: JSON.stringify(body),
      });
      let data = {};
      try { data = await response.json(); } catch (_) { data = {}; }
      if (response.ok) { svResult.textContent = "✔ " + done; return data; }
      svResult.textContent = "⚠ " + (data.message || "実行できませんでした（" + response.status + "）。");
    } catch (_) {
      svResult.textContent = "⚠ 実行できませんでした。ネットワークを確認してください。";
    } finally {
      if (b && b.isConnected) b.disabled = false;
    }
    return null;
  }
  async function supervise(contactId, mode, b) {
    const data = await post("/api/callpath/supervise", { contact_id: contactId, mode }, MODES[mode] + "を開始しました。電話が鳴ります。", b);
    if (data && data.monitor) { monitors.set(contactId, data.monitor); renderAgents(); }
  }
  function stateText(a) {
    const reasonText = a.state === "not_ready" && a.reason ? "（" + (REASONS[a.reason] || a.reason) + "）" : "";
    return (ICONS[a.state] || "？") + " " + (STATES[a.state] || a.state) + reasonText;
  }
  function renderCallpathAgents() {
    const now = performance.timeOrigin + performance.now();
    for (const [name, a] of Object.entries(callpath.agents || {})) {
      const tr = document.createElement("tr");
      tr.dataset.agent = name;
      tr.dataset.state = a.state;
      if (a.changed_at_ms) tr.dataset.changedAtMs = String(Math.round(a.changed_at_ms));
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      tr.append(th);
      const st = cell(tr, stateText(a), "agent-state");
      st.dataset.state = a.state;
      const since = cell(tr, "—", "num");
      if (a.since) since.dataset.since = a.since;
      const watching = a.contact_id ? monitors.get(a.contact_id) : null;
      const contactText = a.contact_id ? a.contact_id + (watching && watching.mode ? "（" + MODES[watching.mode] + "中：" + watching.supervisor + "）" : "") : "—";
      cell(tr, contactText);
      if (controls) tr.append(agentControls(name, a));
      agentBody.append(tr);
    }
    root.dataset.agentsRenderedAtMs = String(Math.round(now));
  }

  function renderAgents() {
    agentBody.replaceChildren();
    if (callpath && !floor) { renderCallpathAgents(); tickAgents(); return; }
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
  function showCallpath(data) {
    if (!data) return;
    const before = callpath ? callpath.agents : {};
    callpath = { agents: {}, queues: data.queues || {}, calls: data.calls };
    for (const [name, a] of Object.entries(data.agents || {})) {
      const old = before[name];
      const same = old && old.state === a.state;
      callpath.agents[name] = { ...a, since: same ? old.since : (old ? new Date().toISOString() : null), changed_at_ms: same ? old.changed_at_ms : null };
    }
    renderQueues();
    renderAgents();
  }
  function agentPushed(push) {
    if (!push || !push.agent) return;
    if (!callpath) callpath = { agents: {}, queues: {}, calls: 0 };
    const at = performance.timeOrigin + performance.now();
    callpath.agents[push.agent] = {
      state: push.state, reason: push.reason, contact_id: push.contact_id,
      since: new Date().toISOString(), changed_at_ms: at,
    };
    renderQueues();
    renderAgents();
  }
  let liveTimer = null;
  function refreshLive() {
    if (!can.live || liveTimer) return;
    liveTimer = setTimeout(async () => {
      liveTimer = null;
      try {
        const response = await fetch("/api/callpath/live", { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.ok) showCallpath(await response.json());
      } catch (_) { /* the next push tries again */ }
    }, 300);
  }

  const socket = window.io("/supervisor", { transports: ["websocket"] });
  socket.on("connect", () => setStatus("online", "●", "接続中（リアルタイム）"));
  socket.on("disconnect", () => setStatus("offline", "✕", "切断されました。再接続しています…"));
  socket.on("connect_error", () => setStatus("offline", "✕", "接続できません。再接続しています…"));
  socket.on("snapshot", (state) => {
    alerts.clear();
    for (const a of state.alerts || []) alerts.set(a.id, a);
    renderAlerts();
    showFloor(state.floor === undefined ? null : state.floor);
    if (state.callpath) showCallpath(state.callpath);
    showKpi(state.kpi || null);
  });
  socket.on("agent_state", agentPushed);
  socket.on("contact_event", refreshLive);
  socket.on("monitor_changed", (m) => {
    if (!m || !m.contact_id) return;
    if (m.mode) monitors.set(m.contact_id, m); else monitors.delete(m.contact_id);
    renderAgents();
  });
  socket.on("alert", upsertAlert);
  socket.on("kpi", showKpi);
  socket.on("floor", showFloor);
  socket.on("session_ended", () => { socket.close(); window.location.assign("/signin"); });
  setInterval(tickAgents, 1000);

  // --- emergency mode (N-BCP-1) ------------------------------------------------------------------
  const emForm = document.getElementById("emergency-form");
  const emState = document.getElementById("emergency-state");
  const emToggle = document.getElementById("emergency-toggle");
  const emConfirm = document.getElementById("emergency-confirm");
  const emResult = document.getElementById("emergency-result");
  function showEmergency(e) {
    const on = !!(e && e.active);
    emState.dataset.state = on ? "on" : "off";
    emState.querySelector(".icon").textContent = on ? "⛔" : "✔";
    emState.querySelector(".label").textContent = on
      ? "緊急モード中（" + (e.changed_by || "") + "）：着信は緊急ガイダンスを聞きます"
      : "通常運用中";
    emToggle.dataset.active = String(on);
    emToggle.textContent = on ? "緊急モードを終了する…" : "緊急モードを開始する…";
    if (on) {
      document.getElementById("em-message").value = e.message_key || "";
      document.getElementById("em-number").value = e.overflow_number || "";
      document.getElementById("em-menu").value = e.menu_node || "";
    }
  }
  async function loadEmergency() {
    try {
      const response = await fetch("/api/callpath/emergency", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) showEmergency(await response.json());
    } catch (_) { emResult.textContent = "⚠ 緊急モードの状態を読み込めませんでした。"; }
  }
  function askEmergency() {
    const on = emToggle.dataset.active !== "true";
    document.getElementById("emergency-confirm-text").textContent = on
      ? "⚠ 緊急モードを開始します。次の着信から緊急ガイダンスが流れます。よろしいですか？"
      : "緊急モードを終了して通常運用に戻します。よろしいですか？";
    emConfirm.hidden = false;
    document.getElementById("emergency-yes").focus();
  }
  async function switchEmergency() {
    const on = emToggle.dataset.active !== "true";
    const body = { active: on };
    if (on) {
      body.message_key = document.getElementById("em-message").value.trim();
      const number = document.getElementById("em-number").value.trim();
      const menu = document.getElementById("em-menu").value.trim();
      if (number) body.overflow_number = number;
      if (menu) body.menu_node = menu;
    }
    for (const p of emForm.querySelectorAll(".field-error")) p.textContent = "";
    for (const i of emForm.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
    const yes = document.getElementById("emergency-yes");
    yes.disabled = true;
    try {
      const response = await fetch("/api/callpath/emergency", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf, "Accept": "application/json" },
        body: JSON.stringify(body),
      });
      let data = {};
      try { data = await response.json(); } catch (_) { data = {}; }
      if (response.ok) {
        showEmergency(data);
        emResult.textContent = on ? "⛔ 緊急モードを開始しました。" : "✔ 緊急モードを終了しました。";
        emConfirm.hidden = true;
        emToggle.focus();
        return;
      }
      emResult.textContent = "⚠ " + (data.message || "切り替えできませんでした（" + response.status + "）。");
      const ids = { message_key: "em-message", overflow_number: "em-number", menu_node: "em-menu" };
      for (const [name, message] of Object.entries(data.fields || {})) {
        const p = document.getElementById("em-" + name + "-error");
        if (p) p.textContent = "⚠ " + message;
        const input = ids[name] && document.getElementById(ids[name]);
        if (input) input.setAttribute("aria-invalid", "true");
      }
    } catch (_) {
      emResult.textContent = "⚠ 切り替えできませんでした。ネットワークを確認してください。";
    } finally {
      yes.disabled = false;
    }
  }
  if (emForm) {
    emForm.addEventListener("submit", (e) => e.preventDefault());
    emToggle.addEventListener("click", askEmergency);
    document.getElementById("emergency-yes").addEventListener("click", switchEmergency);
    document.getElementById("emergency-no").addEventListener("click", () => { emConfirm.hidden = true; emToggle.focus(); });
    loadEmergency();
  }

  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.code === "KeyG" && emToggle) { e.preventDefault(); emToggle.focus(); }
    if (e.code === "KeyJ") {
      e.preventDefault();
      const first = agentBody.querySelector("button") || document.getElementById("agents");
      if (first === document.getElementById("agents")) first.tabIndex = -1;
      first.focus();
    }
  });
})();
