// The agent desk: status control, queue strip, screen pop, FAQ, history form with the live
// personal-data guard, departments and transfers, the work queue; keyboard shortcuts (Alt+key).
"use strict";
(function () {
  const desk = document.getElementById("desk");
  if (!desk) return;
  const csrf = desk.dataset.csrf;
  const stateEnabled = desk.dataset.stateEnabled === "true";
  const transferEnabled = desk.dataset.transferEnabled === "true";
  const replyEnabled = desk.dataset.replyEnabled === "true";
  const callbackEnabled = desk.dataset.callbackEnabled === "true";
  const surveyEnabled = desk.dataset.surveyEnabled === "true";
  const me = desk.dataset.user || "";
  const $ = (id) => document.getElementById(id);
  const timeFmt = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });

  // --- HTTP ---------------------------------------------------------------------------------
  async function api(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrf;
      init.body = JSON.stringify(body);
    } else if (method !== "GET") {
      init.headers["X-CSRF-Token"] = csrf;
    }
    try {
      const response = await fetch(url, init);
      let data = {};
      try { data = await response.json(); } catch (_) { data = {}; }
      if (response.status === 401) window.location.assign("/signin?next=/desk");
      return { ok: response.ok, status: response.status, body: data };
    } catch (_) {
      return { ok: false, status: 0, body: { message: "通信できませんでした。ネットワークを確認して、もう一度お試しください。" } };
    }
  }
  function failure(result) {
    return "⚠ " + (result.body.message || "処理できませんでした（" + result.status + "）。");
  }
  // One run at a time per action: double clicks and repeated shortcuts do nothing extra.
  const running = new Set();
  async function once(key, fn) {
    if (running.has(key)) return;
    running.add(key);
    try { await fn(); } finally { running.delete(key); }
  }
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }
  function minsec(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + "分" + String(s % 60).padStart(2, "0") + "秒";
  }

  // --- connection and other tabs --------------------------------------------------------------
  const connection = $("connection");
  const banner = $("connection-banner");
  function setConnection(state, icon, label) {
    connection.dataset.state = state;
    connection.querySelector(".icon").textContent = icon;
    connection.querySelector(".label").textContent = label;
  }
  function showBanner(text) { banner.textContent = text; banner.hidden = !text; }

  if ("BroadcastChannel" in window) {
    const me = Math.random().toString(36).slice(2);
    const channel = new BroadcastChannel("madoguchi-desk");
    const tabs = $("tabs-banner");
    const warn = () => { tabs.hidden = false; tabs.textContent = "⚠ オペレーター画面が別のタブでも開かれています。着信や状態はどちらにも届きます。使わないタブは閉じてください。"; };
    channel.onmessage = (e) => {
      if (!e.data || e.data.from === me) return;
      if (e.data.kind === "hello") channel.postMessage({ kind: "here", from: me });
      if (e.data.kind === "hello" || e.data.kind === "here") warn();
      if (e.data.kind === "bye") { tabs.hidden = true; tabs.textContent = ""; }
    };
    channel.postMessage({ kind: "hello", from: me });
    window.addEventListener("pagehide", () => channel.postMessage({ kind: "bye", from: me }));
  }

  let socket = null;
  let wasConnected = false;
  if (window.io) {
    socket = window.io("/agent", { transports: ["websocket"] });
    socket.on("connect", () => {
      setConnection("online", "●", "接続中（リアルタイム）");
      if (wasConnected) showBanner("✔ 再接続しました。最新の状態に更新しました。");
      else showBanner("");
      wasConnected = true;
    });
    socket.on("disconnect", () => { setConnection("offline", "✕", "切断"); showBanner("⚠ サーバーとの接続が切れました。再接続しています…（着信情報が届かない場合があります）"); });
    socket.on("connect_error", () => { setConnection("offline", "✕", "接続できません"); showBanner("⚠ サーバーに接続できません。再接続しています…"); });
    socket.on("snapshot", applySnapshot);
    socket.on("screen_pop", showPop);
    socket.on("queue_strip", showStrip);
    socket.on("agent_state", showState);
    socket.on("offer_withdrawn", (w) => { if (w && currentPop && w.contact_id === currentPop.contact_id) clearPop("着信は取り下げられました（" + (w.reason === "contact.abandoned" ? "お客様が切断" : "応答なし") + "）。"); });
    socket.on("transfer_state", showTransfer);
    socket.on("session_ended", () => { socket.close(); window.location.assign("/signin"); });
  } else {
    setConnection("offline", "✕", "リアルタイム接続を使えません");
  }
  function applySnapshot(state) {
    if (!state) return;
    if (state.agent_state) showState(state.agent_state);
    if (state.queue_strip) showStrip(state.queue_strip);
    if (state.screen_pop) showPop(state.screen_pop);
    if (state.callpath) applyCallpath(state.callpath);
  }
  // The call path's view of this agent: {state, reason, contact} (contact = the pop, connected).
  function applyCallpath(view) {
    if (!view) return;
    showState(view);
    if (view.contact && view.contact.contact_id) {
      if (!currentPop || currentPop.contact_id !== view.contact.contact_id) showPop(view.contact);
      if (view.state !== "offered") $("accept-btn").disabled = true;
    }
  }

  // --- status control ------------------------------------------------------------------------
  const STATES = {
    ready: ["●", "受付可"], not_ready: ["■", "離席"], wrap_up: ["✎", "後処理"],
    on_call: ["☎", "通話中"], offered: ["☎", "着信中"], signed_out: ["✕", "サインアウト"],
  };
  const REASONS = {
    break: "休憩", meeting: "打合せ", training: "研修", other_work: "その他の業務",
    no_answer: "応答なし", wrapup_forced: "後処理の強制終了", signed_in: "サインイン直後",
    supervisor: "管理者の指示", requeued: "着信の戻し", callback: "折り返し発信中",
    failover: "システム切替", phone_unreachable: "電話に接続できません",
  };
  let agentState = "unknown";
  function showState(s) {
    const pill = $("agent-state");
    const key = typeof s === "string" ? s : s && s.state;
    if (!key) return;
    const look = STATES[key] || ["？", "不明"];
    agentState = key;
    pill.dataset.state = key;
    pill.querySelector(".icon").textContent = look[0];
    const code = s && typeof s === "object" ? s.reason : null;
    const reason = key === "not_ready" && code ? "（" + (REASONS[code] || code) + "）" : "";
    pill.querySelector(".label").textContent = look[1] + reason;
    $("wrapup-hint").hidden = key !== "wrap_up";
    if ($("survey-btn")) $("survey-btn").disabled = key !== "on_call";
    pill.dataset.changedAtMs = String(Math.round(performance.timeOrigin + performance.now()));
  }
  async function setState(value) {
    if (!stateEnabled) { $("state-result").textContent = "⚠ 受付状態の切替えはまだ使えません。"; return; }
    await once("state", async () => {
      const body = { state: value };
      if (value === "not_ready") body.reason = $("away-reason").value;
      $("state-result").textContent = "";
      const r = await api("POST", "/api/callpath/agent/state", body);
      if (r.ok) { applyCallpath(r.body.callpath); $("state-result").textContent = "✔ 受付状態を変更しました。"; }
      else $("state-result").textContent = failure(r);
    });
  }
  document.querySelectorAll(".state-btn").forEach((b) => b.addEventListener("click", () => setState(b.dataset.stateValue)));

  // --- queue strip ---------------------------------------------------------------------------
  function showStrip(q) {
    if (!q) return;
    $("q-waiting").textContent = q.waiting + "件";
    $("q-longest").textContent = minsec(q.longest_wait_s || 0);
    $("q-sl").textContent = q.service_level === null || q.service_level === undefined ? "—（応答実績なし）" : q.service_level.toFixed(1) + "%";
  }
  async function refreshStrip() {
    const r = await api("GET", "/api/desk/queue");
    if (r.ok) showStrip(r.body);
  }
  window.setInterval(refreshStrip, 15000);

  // --- screen pop and accept -------------------------------------------------------------------
  let currentPop = null;
  // Each rendered pop with the server's offer time, for the screen-pop latency (N-PERF-1).
  const popTimes = [];
  window.madoguchiPopTimes = popTimes;
  function lineText(p) {
    if (p.line_label) return p.line_label;
    if (p.line && typeof p.line === "object") return p.line.label || p.line.did || "—";
    return "—";
  }
  function menuText(p) {
    if (!p.menu) return "（メニュー選択なし）";
    return typeof p.menu === "string" ? p.menu : (p.menu.label || p.menu.key || "（メニュー選択なし）");
  }
  function faqList(p) {
    if (Array.isArray(p.faq)) return p.faq;
    return (p.faq && p.faq.entries) || [];
  }
  function clearPop(message) {
    currentPop = null;
    $("pop-empty").hidden = false;
    $("pop-body").hidden = true;
    $("pop-details").hidden = true;
    $("accept-btn").disabled = true;
    $("accept-result").textContent = message || "";
  }
  function showPop(p) {
    if (!p || !p.contact_id) return;
    currentPop = p;
    $("pop-empty").hidden = true;
    $("pop-body").hidden = false;
    $("pop-details").hidden = false;
    $("pop-line").textContent = lineText(p);
    $("pop-menu").textContent = menuText(p);
    $("pop-waited").textContent = minsec(p.waited_s || 0);
    $("pop-contact").textContent = p.contact_id;
    const script = (p.script && p.script.steps) || [];
    $("pop-script-title").textContent = "トークスクリプト" + (p.script && p.script.title ? "：" + p.script.title : "");
    $("pop-script").replaceChildren(...(script.length ? script.map((s) => el("li", { textContent: typeof s === "string" ? s : (s.text || "") })) : [el("li", { className: "muted", textContent: "このメニューのスクリプトはありません。" })]));
    const faqs = faqList(p);
    $("pop-faq").replaceChildren(...(faqs.length ? faqs.map((f) => el("li", {}, faqButton(f.faq_id, f.question))) : [el("li", { className: "muted", textContent: "候補はありません。" })]));
    $("accept-btn").disabled = false;
    $("accept-result").textContent = "着信があります。応答するには Alt+A を押してください。";
    $("h-contact").value = p.contact_id;
    const rendered = performance.timeOrigin + performance.now();
    const box = $("screen-pop");
    box.dataset.contact = p.contact_id;
    box.dataset.renderedAtMs = String(Math.round(rendered));
    if (typeof p.offered_at_ms === "number") {
      popTimes.push({ contact_id: p.contact_id, offered_at_ms: p.offered_at_ms, rendered_at_ms: rendered });
    }
  }
  async function accept() {
    if (!currentPop) { $("accept-result").textContent = "応答できる着信はありません。"; return; }
    if (!socket || !socket.connected) { $("accept-result").textContent = "⚠ サーバーに接続していないため応答できません。"; return; }
    await once("accept", () => new Promise((resolve) => {
      const contactId = currentPop.contact_id;
      $("accept-btn").disabled = true;
      socket.timeout(10000).emit("accept", { contact_id: contactId }, (err, answer) => {
        if (err) $("accept-result").textContent = "⚠ 応答の確認が取れませんでした。もう一度お試しください。";
        else if (answer && (answer.error || answer.error_id)) $("accept-result").textContent = "⚠ " + (answer.message || "応答できませんでした。");
        else {
          if (window.madoguchiPhone) window.madoguchiPhone.armAutoAnswer(contactId);
          $("accept-result").textContent = "✔ 応答しました。電話がつながります。";
          if (answer && answer.callpath) showState(answer.callpath);
          else showState("on_call");
          resolve();
          return;
        }
        $("accept-btn").disabled = false;
        resolve();
      });
    }));
  }
  $("accept-btn").addEventListener("click", accept);

  // --- FAQ -----------------------------------------------------------------------------------
  let openFaq = null;
  function faqButton(id, question) {
    return el("button", { type: "button", className: "link-btn", textContent: question, onclick: () => showFaq(id) });
  }
  function listFaqs(items, emptyText) {
    $("faq-results").replaceChildren(...items.map((f) => el("li", {}, faqButton(f.faq_id, f.question), f.category1 ? el("span", { className: "muted small", textContent: " 〔" + f.category1 + (f.category2 ? "／" + f.category2 : "") + "〕" }) : null)));
    $("faq-status").textContent = items.length ? items.length + "件見つかりました。" : emptyText;
  }
  $("faq-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = $("faq-q").value.trim();
    $("faq-q-error").textContent = "";
    $("faq-q").removeAttribute("aria-invalid");
    if (!q) { $("faq-q-error").textContent = "検索語を入力してください。"; $("faq-q").setAttribute("aria-invalid", "true"); return; }
    await once("faq-search", async () => {
      const r = await api("GET", "/api/crm/faq/search?limit=10&q=" + encodeURIComponent(q));
      if (r.ok) listFaqs(r.body.items, "該当するFAQはありませんでした。別の言葉で検索してください。");
      else $("faq-q-error").textContent = (r.body.fields && r.body.fields.q) || failure(r);
    });
  });
  document.querySelectorAll("#faq-categories button[data-cat1]").forEach((b) => b.addEventListener("click", async () => {
    if (b.dataset.cat2 === undefined) {
      const open = b.getAttribute("aria-expanded") === "true";
      b.setAttribute("aria-expanded", String(!open));
      b.nextElementSibling.hidden = open;
      if (open) return;
    }
    const params = new URLSearchParams({ category1: b.dataset.cat1 });
    if (b.dataset.cat2) params.set("category2", b.dataset.cat2);
    const r = await api("GET", "/api/crm/faq/entries?" + params.toString());
    if (r.ok) listFaqs(r.body.items, "この分類のFAQはありません。");
    else $("faq-status").textContent = failure(r);
  }));
  $("faq-popular").addEventListener("toggle", async () => {
    if (!$("faq-popular").open) return;
    const r = await api("GET", "/api/crm/faq/popular?limit=10");
    if (!r.ok) return;
    const list = $("faq-popular-list");
    if (!r.body.items.length) { list.replaceChildren(el("li", { className: "muted", textContent: "まだ参照の記録はありません。" })); return; }
    list.replaceChildren(...r.body.items.map((f) => el("li", {}, faqButton(f.faq_id, f.question), el("span", { className: "muted small", textContent: "（" + f.uses + "回）" }))));
  });
  document.querySelectorAll("#faq-popular-list button[data-faq]").forEach((b) => b.addEventListener("click", () => showFaq(b.dataset.faq)));
  async function showFaq(id) {
    await once("faq-open", async () => {
      const r = await api("GET", "/api/crm/faq/entries/" + encodeURIComponent(id));
      if (!r.ok) { $("faq-status").textContent = failure(r); return; }
      openFaq = r.body;
      $("faq-detail").hidden = false;
      $("faq-detail-q").textContent = r.body.question;
      $("faq-detail-meta").textContent = r.body.faq_id + "・" + r.body.category1 + (r.body.category2 ? "／" + r.body.category2 : "") + (r.body.needs_handoff ? "・担当課への引継ぎが必要" : "");
      $("faq-detail-a").textContent = r.body.answer;
      $("faq-detail").focus();
      api("POST", "/api/crm/faq/entries/" + encodeURIComponent(id) + "/opened", currentPop ? { contact_id: currentPop.contact_id } : {});
    });
  }
  const cited = new Map();
  function renderCited() {
    const list = $("h-faqs");
    if (!cited.size) { list.replaceChildren(el("li", { className: "muted", textContent: "なし" })); return; }
    list.replaceChildren(...[...cited].map(([id, q]) => el("li", {}, id + "：" + q + " ", el("button", { type: "button", className: "link-btn small", textContent: "外す", ariaLabel: id + " の引用を外す", onclick: () => { cited.delete(id); renderCited(); } }))));
  }
  $("faq-cite").addEventListener("click", () => {
    if (!openFaq) return;
    cited.set(openFaq.faq_id, openFaq.question);
    renderCited();
  });

  // --- history form and the personal-data guard ----------------------------------------------
  const answer = $("h-answer");
  const guard = $("h-answer-guard");
  const save = $("history-save");
  let findings = [];
  let scanSeq = 0;
  let scanTimer = null;
  function showGuard(state, icon, text) {
    guard.dataset.state = state;
    guard.querySelector(".icon").textContent = icon;
    guard.querySelector(".label").textContent = text;
  }
  function showFindings(list) {
    findings = list;
    const text = answer.value;
    $("h-answer-findings").replaceChildren(...list.map((f) => el("li", {}, el("span", { className: "icon", ariaHidden: "true", textContent: "⚠ " }), f.label + "：「" + text.slice(f.start, f.end) + "」（" + (f.start + 1) + "文字目から）")));
    if (list.length) {
      answer.setAttribute("aria-invalid", "true");
      showGuard("found", "⚠", "個人情報が" + list.length + "件見つかりました（" + [...new Set(list.map((f) => f.label))].join("・") + "）。削除するまで保存できません。");
      save.disabled = true;
    } else {
      answer.removeAttribute("aria-invalid");
      showGuard("clean", "✔", "個人情報は見つかっていません。");
      save.disabled = false;
    }
  }
  async function scan() {
    const seq = ++scanSeq;
    if (!answer.value.trim()) { showFindings([]); return; }
    showGuard("checking", "…", "確認中…");
    const r = await api("POST", "/api/crm/pii/scan", { fields: { answer: answer.value } });
    if (seq !== scanSeq) return;
    if (r.ok) showFindings((r.body.findings && r.body.findings.answer) || []);
    else { showGuard("found", "⚠", "個人情報の確認ができませんでした。" + failure(r)); save.disabled = false; }
  }
  answer.addEventListener("input", () => {
    window.clearTimeout(scanTimer);
    scanTimer = window.setTimeout(scan, 250);
  });
  const cat1 = $("h-cat1");
  const cat2 = $("h-cat2");
  function filterCat2() {
    for (const o of cat2.options) {
      if (!o.value) continue;
      o.hidden = o.dataset.parent !== cat1.value;
      o.disabled = o.hidden;
    }
    if (cat2.selectedOptions[0] && cat2.selectedOptions[0].disabled) cat2.value = "";
  }
  cat1.addEventListener("change", filterCat2);
  filterCat2();
  const FIELD_IDS = { contact_id: "h-contact", work_type: "h-work-type", category1: "h-cat1", category2: "h-cat2", outcome: "h-outcome", handoff_dept: "h-handoff", answer: "h-answer", faq_ids: null };
  function clearErrors() {
    document.querySelectorAll("#history-form .field-error").forEach((p) => { p.textContent = ""; });
    document.querySelectorAll("#history-form [aria-invalid]").forEach((n) => { if (n !== answer || !findings.length) n.removeAttribute("aria-invalid"); });
    $("history-summary").hidden = true;
  }
  function fieldErrors(fields) {
    let first = null;
    for (const [name, message] of Object.entries(fields)) {
      const p = $("h-" + name + "-error");
      if (p) p.textContent = "⚠ " + message;
      const input = FIELD_IDS[name] ? $(FIELD_IDS[name]) : null;
      if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
    }
    return first;
  }
  $("history-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    await once("history-save", async () => {
      clearErrors();
      if (findings.length) { $("history-result").textContent = "⚠ 個人情報を削除してから保存してください。"; answer.focus(); return; }
      const body = {
        contact_id: $("h-contact").value.trim(),
        work_type: $("h-work-type").value,
        category1: cat1.value,
        category2: cat2.value,
        outcome: $("h-outcome").value,
        handoff_dept: $("h-handoff").value || null,
        answer: answer.value,
        faq_ids: [...cited.keys()],
      };
      if (!body.contact_id) { fieldErrors({ contact_id: "応対IDを入力してください。" }); $("h-contact").focus(); return; }
      save.disabled = true;
      $("history-result").textContent = "保存しています…";
      const r = await api("POST", "/api/crm/interactions", body);
      save.disabled = false;
      if (r.ok) {
        $("history-result").textContent = "✔ 対応履歴を保存しました（応対ID " + r.body.contact_id + "）。後処理を終了しました。";
        $("history-form").reset();
        filterCat2();
        cited.clear();
        renderCited();
        showFindings([]);
        clearPop("");
        return;
      }
      $("history-result").textContent = "";
      const summary = $("history-summary");
      summary.hidden = false;
      summary.textContent = failure(r);
      if (r.body.findings && r.body.findings.answer) showFindings(r.body.findings.answer.map((f) => ({ ...f, label: labelOf(f.type) })));
      const first = fieldErrors(r.body.fields || {});
      if (first) first.focus();
    });
  });
  function labelOf(type) {
    return { name: "氏名", phone: "電話・FAX番号", email: "メールアドレス", address: "住所" }[type] || "個人情報";
  }

  // --- departments and transfers ----------------------------------------------------------------
  const rows = [...document.querySelectorAll("#dept-table tbody tr")];
  function fold(text) { return text.normalize("NFKC").toLowerCase(); }
  $("dept-q").addEventListener("input", () => {
    const words = fold($("dept-q").value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const hay = fold(row.dataset.search || "");
      row.hidden = !words.every((w) => hay.includes(w));
      if (!row.hidden) shown++;
    }
    $("dept-count").textContent = shown + "件の部署を表示しています。";
  });
  $("dept-form").addEventListener("submit", (e) => e.preventDefault());
  const TRANSFER_STATES = { consulting: "相談中", completed: "転送済み", cancelled: "取消済み", none: "なし" };
  function showTransfer(t) {
    const box = $("transfer-state");
    const state = (t && t.state) || "none";
    box.dataset.state = state;
    const where = t && t.destination ? "（" + (t.destination.label || t.destination.id) + "）" : "";
    box.querySelector(".label").textContent = (TRANSFER_STATES[state] || state) + where;
    // A completed hand-off to a department is pre-filled in the history form (the agent may change it).
    if (state === "completed" && t.destination && t.destination.type === "department") {
      const handoff = $("h-handoff");
      if (handoff && [...handoff.options].some((o) => o.value === t.destination.id)) {
        handoff.value = t.destination.id;
        $("h-outcome").value = t.kind === "blind" ? "switchboard_transfer" : "handoff";
      }
    }
  }
  async function transfer(action) {
    const result = $("transfer-result");
    if (!transferEnabled) { result.textContent = "⚠ 転送はまだ使えません。"; return; }
    const chosen = document.querySelector("input[name=transfer_dept]:checked");
    const needsTarget = action === "consult" || action === "blind";
    if (needsTarget && !chosen) { result.textContent = "⚠ 転送先の部署を選んでください。"; return; }
    await once("transfer", async () => {
      result.textContent = "… 処理中です。";
      const body = needsTarget ? { action, dept_id: chosen.value } : { action };
      const r = await api("POST", "/api/agent/transfer", body);
      const done = { blind: "転送しました。", consult: "相談転送を開始しました。", complete: "転送を完了しました。", cancel: "転送を取り消しました。" };
      if (r.ok && r.body.transfer) showTransfer(r.body.transfer);
      result.textContent = r.ok ? "✔ " + done[action] : failure(r);
    });
  }
  document.querySelectorAll("button[data-transfer]").forEach((b) => b.addEventListener("click", () => transfer(b.dataset.transfer)));

  // --- work queue -------------------------------------------------------------------------------
  const KINDS = { call: "☎ 電話", email: "＠ メール", fax: "℻ FAX", callback: "↩ 折り返し" };
  const ITEM_STATES = { queued: "未着手", offered: "提示中", in_progress: "対応中", parked: "保留", done: "完了" };
  let workItems = [];
  function dueText(item, now) {
    const left = (new Date(item.due_at).getTime() - now) / 1000;
    if (left < 0) return ["overdue", "⚠ 期限超過 " + clock(-left)];
    if (left < 3600) return ["soon", "△ 期限まで " + clock(left)];
    return ["ok", "期限まで " + clock(left)];
  }
  function clock(seconds) {
    const s = Math.floor(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return (h ? h + "時間" : "") + m + "分";
  }
  function renderQueue() {
    const now = Date.now();
    const body = $("wq-body");
    if (!workItems.length) { body.replaceChildren(el("tr", {}, el("td", { colSpan: 5, className: "muted", textContent: "要対応の項目はありません。" }))); return; }
    body.replaceChildren(...workItems.map((item) => {
      const [state, text] = dueText(item, now);
      const due = el("td", {}, el("span", { className: "due", textContent: text }), el("br"), el("span", { className: "small muted", textContent: "（" + timeFmt.format(new Date(item.due_at)) + "まで）" }));
      due.firstChild.dataset.due = state;
      const name = (KINDS[item.kind] || item.kind) + " " + timeFmt.format(new Date(item.received_at)) + " 受付";
      const working = item.owner === me && (item.state === "in_progress" || item.state === "parked");
      const mine = replyEnabled && item.kind === "email" && working;
      let take = mine
        ? el("button", { type: "button", textContent: "返信", ariaLabel: name + "に返信する", onclick: () => openReply(item) })
        : el("button", { type: "button", className: "secondary", textContent: "取る", ariaLabel: name + "を取る", disabled: item.state === "in_progress" && !!item.owner, onclick: () => takeItem(item) });
      if (callbackEnabled && item.kind === "callback" && working) take = callbackControls(item, name);
      return el("tr", {},
        el("td", { textContent: KINDS[item.kind] || item.kind }),
        el("td", { textContent: timeFmt.format(new Date(item.received_at)) }),
        due,
        el("td", { textContent: (ITEM_STATES[item.state] || item.state) + (item.owner ? "（" + item.owner + "）" : "") }),
        el("td", {}, take));
    }));
  }
  async function loadQueue() {
    await once("wq", async () => {
      const r = await api("GET", "/api/crm/workqueue");
      if (!r.ok) { $("wq-status").textContent = failure(r); return; }
      workItems = r.body.items;
      renderQueue();
      $("wq-status").textContent = "要対応 " + workItems.length + "件（" + new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date()) + " 更新）";
    });
  }
  async function takeItem(item) {
    await once("take-" + item.id, async () => {
      const r = await api("POST", "/api/crm/workqueue/" + encodeURIComponent(item.id) + "/take", { version: item.version });
      $("wq-status").textContent = r.ok ? "✔ 担当にしました。" : failure(r);
      await loadQueue();
    });
  }
  $("wq-refresh").addEventListener("click", loadQueue);

  // --- call-backs (the number never reaches this page) -----------------------------------------
  const CALLBACK_OUTCOMES = { reached: "つながった", no_answer: "応答なし・話し中", wrong_number: "番号違い", cancelled: "取りやめ" };
  function callbackControls(item, name) {
    const select = el("select", { className: "cb-outcome", ariaLabel: name + "の結果" },
      ...Object.entries(CALLBACK_OUTCOMES).map(([value, label]) => el("option", { value, textContent: label })));
    select.dataset.item = item.id;
    return el("div", { className: "inline-row" },
      el("button", { type: "button", className: "cb-dial", textContent: "発信", ariaLabel: name + "に発信する", onclick: () => dialCallback(item) }),
      select,
      el("button", { type: "button", className: "secondary cb-close", textContent: "記録して完了", ariaLabel: name + "の結果を記録して完了する", onclick: () => closeCallback(item, select.value) }));
  }
  function myCallback() {
    return workItems.find((i) => i.kind === "callback" && i.owner === me && (i.state === "in_progress" || i.state === "parked"));
  }
  async function dialCallback(item) {
    if (!item) { $("wq-status").textContent = "⚠ 担当中の折り返しがありません。「取る」で担当にしてください。"; return; }
    await once("cb-dial", async () => {
      const r = await api("POST", "/api/callpath/callbacks/" + encodeURIComponent(item.id) + "/dial", {});
      const outcome = r.ok && r.body.callback ? r.body.callback.outcome : null;
      $("wq-status").textContent = r.ok
        ? (r.body.callback.connected ? "✔ 発信しました。お客様につながりました。" : "⚠ つながりませんでした（" + (CALLBACK_OUTCOMES[outcome] || outcome) + "）。結果を記録してください。")
        : failure(r);
    });
  }
  async function closeCallback(item, outcome) {
    if (!item) { $("wq-status").textContent = "⚠ 担当中の折り返しがありません。"; return; }
    await once("cb-close", async () => {
      const r = await api("POST", "/api/callpath/callbacks/" + encodeURIComponent(item.id) + "/close", { outcome });
      $("wq-status").textContent = r.ok ? "✔ 折り返しを完了しました（" + CALLBACK_OUTCOMES[outcome] + "）。番号は消去されました。" : failure(r);
      await loadQueue();
    });
  }
  function closeMyCallback() {
    const item = myCallback();
    const select = item ? document.querySelector('select.cb-outcome[data-item="' + CSS.escape(item.id) + '"]') : null;
    closeCallback(item, select ? select.value : "reached");
  }

  // --- satisfaction survey ---------------------------------------------------------------------
  async function toSurvey() {
    if (!$("survey-btn")) return;
    if (agentState !== "on_call") { $("survey-result").textContent = "⚠ 通話中のみアンケートへ案内できます。"; return; }
    await once("survey", async () => {
      const r = await api("POST", "/api/callpath/survey", {});
      $("survey-result").textContent = r.ok ? "✔ お客様をアンケートへ案内しました。通話は終了し後処理に入ります。" : failure(r);
    });
  }
  if ($("survey-btn")) $("survey-btn").addEventListener("click", toSurvey);
  let replyItem = null;
  function openReply(item) {
    const form = $("reply-form");
    if (!form) return;
    replyItem = item;
    form.hidden = false;
    $("reply-item").textContent = "対象：" + (KINDS[item.kind] || item.kind) + "（" + timeFmt.format(new Date(item.received_at)) + " 受付、応対ID " + item.contact_id + "）";
    $("reply-body").focus();
  }
  function closeReply() {
    const form = $("reply-form");
    if (!form) return;
    form.reset();
    form.hidden = true;
    replyItem = null;
  }
  async function sendReply() {
    const form = $("reply-form");
    if (!form || form.hidden || !replyItem) { $("reply-result").textContent = "⚠ 返信するメールを要対応リストで選んでください。"; return; }
    const bodyText = $("reply-body").value;
    $("reply-body-error").textContent = "";
    $("reply-body").removeAttribute("aria-invalid");
    if (!bodyText.trim()) { $("reply-body-error").textContent = "⚠ 返信の本文を入力してください。"; $("reply-body").setAttribute("aria-invalid", "true"); $("reply-body").focus(); return; }
    await once("reply", async () => {
      $("reply-send").disabled = true;
      const r = await api("POST", "/api/inbox/items/" + encodeURIComponent(replyItem.id) + "/reply", { subject: $("reply-subject").value, body: bodyText });
      $("reply-send").disabled = false;
      if (r.ok) {
        const sent = r.body.outbox && r.body.outbox.state;
        $("reply-result").textContent = "✔ 返信しました" + (sent === "sent" ? "（送信済み）" : "（送信待ち：自動で再送します）") + "。";
        closeReply();
        await loadQueue();
        return;
      }
      if (r.body.fields && r.body.fields.body) { $("reply-body-error").textContent = "⚠ " + r.body.fields.body; $("reply-body").setAttribute("aria-invalid", "true"); }
      $("reply-result").textContent = failure(r);
    });
  }
  if ($("reply-form")) {
    $("reply-form").addEventListener("submit", (e) => { e.preventDefault(); sendReply(); });
    $("reply-cancel").addEventListener("click", closeReply);
  }
  window.setInterval(renderQueue, 30000);
  window.setInterval(loadQueue, 60000);
  loadQueue();

  // The call path plugs in here too (its Socket.IO events call the same functions).
  window.madoguchiDesk = Object.freeze({ showPop, showStrip, showState, showTransfer, socket });

  // --- keyboard shortcuts -----------------------------------------------------------------------
  function openAndFocus(id) {
    const d = $(id);
    d.open = true;
    d.querySelector("summary").focus();
  }
  const SHORTCUTS = {
    Digit1: () => setState("ready"),
    Digit2: () => setState("not_ready"),
    Digit3: () => $("away-reason").focus(),
    KeyA: accept,
    KeyF: () => $("faq-q").focus(),
    KeyC: () => openAndFocus("faq-categories"),
    KeyR: () => openAndFocus("faq-popular"),
    KeyI: () => $("h-contact").focus(),
    KeyS: () => $("history-form").requestSubmit(),
    KeyD: () => $("dept-q").focus(),
    KeyB: () => transfer("blind"),
    KeyT: () => transfer("consult"),
    KeyO: () => transfer("complete"),
    KeyX: () => transfer("cancel"),
    KeyW: loadQueue,
    KeyY: sendReply,
    KeyL: () => dialCallback(myCallback()),
    KeyU: closeMyCallback,
    KeyQ: toSurvey,
    Slash: () => openAndFocus("shortcuts"),
  };
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const action = SHORTCUTS[e.code];
    if (!action) return;
    e.preventDefault();
    action();
  });
})();
