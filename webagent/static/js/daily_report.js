// The daily-report screen: save ②-⑤ and the two extra fields, approve, send (or resend), draft
// or re-draft ①, reload; optimistic version check; keyboard shortcuts (Alt+key).
"use strict";
(function () {
  const root = document.getElementById("daily");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const day = root.dataset.day;
  const canEdit = root.dataset.canEdit === "true";
  const $ = (id) => document.getElementById(id);
  const base = "/api/reports/daily/" + encodeURIComponent(day);
  const message = $("daily-message");
  const alertBox = $("daily-alert");
  const form = $("texts-form");
  let dirty = false;

  async function api(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrf;
      init.body = JSON.stringify(body || {});
    }
    try {
      const response = await fetch(url, init);
      let data = {};
      try { data = await response.json(); } catch (_) { data = {}; }
      if (response.status === 401) window.location.assign("/signin?next=" + encodeURIComponent("/reports/daily?day=" + day));
      return { ok: response.ok, status: response.status, body: data };
    } catch (_) {
      return { ok: false, status: 0, body: { message: "通信できませんでした。ネットワークを確認して、もう一度お試しください。" } };
    }
  }

  function say(text) { alertBox.hidden = true; alertBox.textContent = ""; message.textContent = text; }
  function fail(result) {
    message.textContent = "";
    alertBox.textContent = "⚠ " + (result.body.message || "処理できませんでした（" + result.status + "）。");
    alertBox.hidden = false;
  }
  const running = new Set();
  async function once(key, fn) {
    if (running.has(key)) return;
    running.add(key);
    root.setAttribute("aria-busy", "true");
    try { await fn(); } finally { running.delete(key); root.removeAttribute("aria-busy"); }
  }

  function clearFieldErrors() {
    if (!form) return;
    form.querySelectorAll("textarea").forEach((t) => {
      t.removeAttribute("aria-invalid");
      const err = $("err-" + t.name);
      if (err) err.textContent = "";
    });
  }
  function showFieldErrors(fields) {
    let first = null;
    Object.entries(fields || {}).forEach(([name, text]) => {
      const area = $("f-" + name);
      const err = $("err-" + name);
      if (area && err) {
        area.setAttribute("aria-invalid", "true");
        err.textContent = text;
        first = first || area;
      }
    });
    if (first) first.focus();
  }

  function setButton(id, enabled) { const b = $(id); if (b) b.disabled = !enabled; }
  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

  // Show a report as the server answered it (after any action or a reload).
  function apply(report) {
    root.dataset.version = report.version;
    root.dataset.state = report.state;
    root.dataset.status = report.status;
    const status = $("report-status");
    if (status) {
      status.querySelector(".icon").textContent = report.status_icon;
      status.querySelector(".label").textContent = report.status_label;
      status.parentElement.dataset.status = report.status;
    }
    Object.entries(report.numbers).forEach(([key, value]) => {
      const dd = root.querySelector('[data-number="' + key + '"]');
      if (dd) dd.textContent = value + "件";
    });
    const note = $("numbers-note");
    if (note) note.textContent = (report.numbers.provisional ? "暫定値（後から届いたイベントで変わることがあります）。" : "") + "下書き作成：" + report.drafted_at;
    const cats = document.querySelector("#covid-categories tbody");
    if (cats) {
      cats.replaceChildren();
      const entries = Object.entries(report.numbers.covid_answered_by_category);
      if (!entries.length) { const tr = document.createElement("tr"); const td = cell("該当なし"); td.colSpan = 2; tr.append(td); cats.append(tr); }
      entries.forEach(([name, count]) => { const tr = document.createElement("tr"); tr.append(cell(name), cell(count + "件")); cats.append(tr); });
    }
    if (form) {
      form.querySelectorAll("textarea").forEach((t) => {
        t.value = report.texts[t.name] || "";
        t.readOnly = !(canEdit && report.editable);
      });
    }
    dirty = false;
    setButton("save-btn", report.editable);
    setButton("approve-btn", report.state === "draft");
    setButton("send-btn", report.state === "approved");
    setButton("draft-btn", report.state === "draft" && root.dataset.past !== "false");
    const sendText = document.querySelector("#send-btn .text");
    if (sendText) sendText.textContent = report.status === "failed" ? "再送信" : "区へ送信";
    const errBox = $("last-error-box");
    if (errBox) {
      errBox.hidden = !report.last_error;
      errBox.querySelector("summary").textContent = "送信エラーの詳細（" + report.send_attempts + "回試行）";
      $("last-error").textContent = report.last_error;
    }
    const history = document.querySelector("#history tbody");
    if (history) {
      history.replaceChildren();
      report.history.forEach((h) => {
        const tr = document.createElement("tr");
        tr.append(cell(h.at), cell(h.actor), cell(h.label), cell(h.detail));
        history.append(tr);
      });
    }
  }

  function texts() {
    const fields = {};
    form.querySelectorAll("textarea").forEach((t) => { fields[t.name] = t.value; });
    return fields;
  }

  async function save() {
    if (!form || $("save-btn").disabled) return false;
    clearFieldErrors();
    message.textContent = "保存しています…";
    const result = await api("POST", base + "/texts", { fields: texts(), version: root.dataset.version });
    if (!result.ok) { fail(result); showFieldErrors(result.body.fields); return false; }
    apply(result.body.report);
    say("✔ 保存しました。");
    return true;
  }

  async function approve() {
    if (!$("approve-btn") || $("approve-btn").disabled) return;
    if (dirty && !(await save())) return;
    message.textContent = "承認しています…";
    const result = await api("POST", base + "/approve", { version: root.dataset.version });
    if (!result.ok) { fail(result); showFieldErrors(result.body.fields); return; }
    apply(result.body.report);
    say("✔ 承認しました。内容を確認して区へ送信してください。");
    const send = $("send-btn");
    if (send) send.focus();
  }

  async function send() {
    if (!$("send-btn") || $("send-btn").disabled) return;
    message.textContent = "区へ送信しています…（メールサーバーの応答を待っています）";
    const result = await api("POST", base + "/send", { version: root.dataset.version });
    if (result.body.report) apply(result.body.report);
    if (!result.ok) { fail(result); return; }
    say("✔ 区へ送信しました。");
  }

  async function draft() {
    const button = $("draft-btn");
    if (!button || button.disabled) return;
    message.textContent = "①を集計しています…";
    const body = root.dataset.version ? { version: root.dataset.version } : {};
    const result = await api("POST", base + "/draft", body);
    if (!result.ok) { fail(result); return; }
    if (!$("report-status")) { window.location.assign("/reports/daily?day=" + encodeURIComponent(day)); return; }
    apply(result.body.report);
    say("✔ ①を集計し直しました。");
  }

  async function reload() {
    const result = await api("GET", base);
    if (!result.ok) { fail(result); return; }
    clearFieldErrors();
    apply(result.body.report);
    say("✔ 最新の内容を読み込みました。");
  }

  if (form) {
    form.addEventListener("submit", (e) => { e.preventDefault(); once("save", save); });
    form.addEventListener("input", () => { dirty = true; });
  }
  const bind = (id, key, fn) => { const b = $(id); if (b) b.addEventListener("click", () => once(key, fn)); };
  bind("approve-btn", "approve", approve);
  bind("send-btn", "send", send);
  bind("draft-btn", "draft", draft);
  bind("reload-btn", "reload", reload);
  window.addEventListener("beforeunload", (e) => { if (dirty) { e.preventDefault(); e.returnValue = ""; } });

  const SHORTCUTS = {
    KeyD: () => { const d = $("day-input"); d.focus(); },
    KeyS: () => once("save", save),
    KeyA: () => once("approve", approve),
    KeyM: () => once("send", send),
    KeyR: () => once("draft", draft),
    KeyL: () => once("reload", reload),
    Slash: () => { const s = $("shortcuts"); s.open = !s.open; s.querySelector("summary").focus(); },
  };
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const action = SHORTCUTS[e.code];
    if (!action) return;
    e.preventDefault();
    action();
  });
})();
