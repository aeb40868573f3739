// Settings screens: forms send JSON (or a file) to each package's route; 422 answers become
// messages under the fields; edit fills the form from the row; delete asks first; shortcuts.
"use strict";
(function () {
  const root = document.getElementById("admin");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const status = document.getElementById("admin-status");
  const FLASH = "madoguchi-admin-flash";

  const flash = sessionStorage.getItem(FLASH);
  if (flash && status) {
    sessionStorage.removeItem(FLASH);
    status.textContent = "✔ " + flash;
  }

  class FieldProblem extends Error {
    constructor(name, message) { super(message); this.name_ = name; }
  }

  function setPath(target, path, value) {
    const parts = path.split(".");
    let node = target;
    for (let i = 0; i < parts.length - 1; i++) {
      const key = parts[i];
      if (node[key] === undefined) node[key] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      node = node[key];
    }
    node[parts[parts.length - 1]] = value;
  }

  function getPath(source, path) {
    return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), source);
  }

  const TIME = /^([01]?\d|2[0-4]):[0-5]\d$/;

  function parseWindows(el) {
    const text = el.value.trim();
    if (!text) return [];
    return text.split(/[,、，]/).map((part) => {
      const pair = part.trim().replace(/[〜~～－]/g, "-").split("-").map((t) => t.trim());
      if (pair.length !== 2 || !TIME.test(pair[0]) || !TIME.test(pair[1])) {
        throw new FieldProblem(el.name, "「08:30-17:15」の形で入力してください（複数はカンマ区切り、休みは空欄）。");
      }
      return pair;
    });
  }

  function parseChoices(el) {
    const out = {};
    for (const raw of el.value.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      const m = /^([0-9*#])\s*[=＝]\s*(menu|queue|switchboard)\s*[:：]\s*(\S+)$/.exec(line);
      if (!m) throw new FieldProblem(el.name, "1行に1つ「1=queue:q_tax」の形で入力してください（menu / queue / switchboard）。");
      out[m[1]] = { kind: m[2], target: m[3] };
    }
    return out;
  }

  function parseSkills(el) {
    const text = el.value.trim();
    if (!text) return {};
    const out = {};
    for (const part of text.split(/[,、，\n]/)) {
      const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(part);
      if (!m) return text; // the server explains what is wrong
      out[m[1]] = Number(m[2]);
    }
    return out;
  }

  function number(el, pattern) {
    const text = el.value.trim();
    if (text === "") return el.dataset.empty === "omit" ? undefined : null;
    return pattern.test(text) ? Number(text) : text;
  }

  function valueOf(el) {
    switch (el.dataset.type) {
      case "bool": return el.checked;
      case "int": return number(el, /^-?\d+$/);
      case "float": return number(el, /^\d+(\.\d+)?$/);
      case "list": return el.value.split(/[,、，]/).map((s) => s.trim()).filter(Boolean);
      case "lines": return el.value.split("\n").map((s) => s.trim()).filter(Boolean);
      case "window": return parseWindows(el);
      case "choices": return parseChoices(el);
      case "skills": return parseSkills(el);
      default:
        if (el.value === "" && el.dataset.empty === "null") return null;
        return el.value;
    }
  }

  function collect(form) {
    const body = {};
    const checks = {};
    for (const el of form.elements) {
      if (!el.name || el.dataset.skip !== undefined || el.type === "file") continue;
      if (el.dataset.type === "checks") {
        checks[el.name] = checks[el.name] || [];
        if (el.checked) checks[el.name].push(el.value);
        continue;
      }
      const value = valueOf(el);
      if (value !== undefined) setPath(body, el.name, value);
    }
    for (const [name, values] of Object.entries(checks)) setPath(body, name, values);
    return body;
  }

  function fill(form, row) {
    for (const el of form.elements) {
      if (!el.name || el.type === "file") continue;
      const value = getPath(row, el.name);
      switch (el.dataset.type) {
        case "bool": el.checked = Boolean(value); break;
        case "checks": el.checked = Array.isArray(value) && value.includes(el.value); break;
        case "list": el.value = Array.isArray(value) ? value.join(", ") : (value || ""); break;
        case "lines": el.value = Array.isArray(value) ? value.join("\n") : (value || ""); break;
        case "window":
          el.value = Array.isArray(value) ? value.map((w) => w.join("-")).join(", ") : "";
          break;
        case "choices":
          el.value = Object.entries(value || {}).map(([d, c]) => `${d}=${c.kind}:${c.target}`).join("\n");
          break;
        case "skills":
          el.value = Object.entries(value || {}).map(([k, v]) => `${k}=${v}`).join(", ");
          break;
        default: el.value = value == null ? "" : String(value);
      }
    }
  }

  function errorSlot(form, name) {
    const slots = [...form.querySelectorAll("[data-error-for]")];
    return slots.find((s) => s.dataset.errorFor === name)
      || slots.find((s) => s.dataset.errorFor === name.split(".")[0])
      || slots.find((s) => name.startsWith(s.dataset.errorFor + "."));
  }

  function clearErrors(form) {
    for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    const general = form.querySelector("[data-form-error]");
    if (general) general.textContent = "";
  }

  function showErrors(form, fields, message) {
    let first = null;
    const general = [];
    for (const [name, text] of Object.entries(fields)) {
      const slot = errorSlot(form, name);
      if (!slot) { general.push(text); continue; }
      slot.textContent = (slot.textContent ? slot.textContent + " " : "⚠ ") + text;
      const control = form.querySelector(`[aria-describedby~="${slot.id}"]`);
      if (control) {
        control.setAttribute("aria-invalid", "true");
        const target = control.tagName === "FIELDSET" ? control.querySelector("input, select, textarea") : control;
        if (!first && target) first = target;
      }
    }
    const box = form.querySelector("[data-form-error]");
    if (box && (general.length || !first)) box.textContent = "⚠ " + (general.join(" ") || message);
    if (first) first.focus();
    else if (box) box.focus();
  }

  function fillUrl(template, form) {
    return template.replace(/\{(\w+)\}/g, (_, name) => {
      const el = form.elements[name];
      let value = el ? el.value : "";
      if (el && el.type === "file") value = el.files.length ? el.files[0].name : "";
      if (!value.trim() && el && el.required) throw new FieldProblem(name, "入力してください。");
      return encodeURIComponent(value.trim());
    });
  }

  function summary(body) {
    if (body && typeof body.created === "number") {
      return `（追加 ${body.created}件・変更 ${body.updated}件・変更なし ${body.unchanged}件）`;
    }
    return "";
  }

  async function send(method, url, payload, contentType) {
    const headers = { "X-CSRF-Token": csrf };
    if (contentType) headers["Content-Type"] = contentType;
    const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
    let body = {};
    try { body = await response.json(); } catch (_) { body = {}; }
    return { response, body };
  }

  function problemsText(problems) {
    return problems.slice(0, 20).map((p) => {
      let where = `${p.line}行目`;
      if (p.key) where += `（${p.key}）`;
      if (p.column) where += `［${p.column}］`;
      return `${where}：${p.message_ja}`;
    }).join(" / ") + (problems.length > 20 ? ` ほか${problems.length - 20}件` : "");
  }

  let busy = false;
  async function submit(form) {
    if (busy) return;
    clearErrors(form);
    const editing = form.dataset.editing === "1";
    const method = (editing && form.dataset.editMethod) || form.dataset.method || "POST";
    let url;
    let payload;
    let contentType;
    try {
      url = fillUrl((editing && form.dataset.editUrl) || form.dataset.url, form);
      if (form.dataset.kind === "upload") {
        const input = form.querySelector("input[type=file]");
        if (!input.files.length) throw new FieldProblem(input.name, "ファイルを選んでください。");
        payload = await input.files[0].arrayBuffer();
        contentType = input.files[0].type || "application/octet-stream";
      } else {
        payload = JSON.stringify(collect(form));
        contentType = "application/json";
      }
    } catch (err) {
      if (err instanceof FieldProblem) { showErrors(form, { [err.name_]: err.message }, err.message); return; }
      throw err;
    }
    busy = true;
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const { response, body } = await send(method, url, payload, contentType);
      if (response.ok) {
        const done = form.dataset.success || "保存しました。";
        const counts = summary(body);
        sessionStorage.setItem(FLASH, counts ? done.replace(/。$/, "") + counts + "。" : done);
        window.location.reload();
        return;
      }
      let fields = body.fields || {};
      if (Array.isArray(body.problems) && body.problems.length && form.dataset.errorDefault) {
        fields = { [form.dataset.errorDefault]: (body.message || "") + " " + problemsText(body.problems) };
      } else if (!Object.keys(fields).length && form.dataset.errorDefault && response.status === 422) {
        fields = { [form.dataset.errorDefault]: body.message || "入力を確認してください。" };
      }
      showErrors(form, fields, body.message || `保存できませんでした（${response.status}）。`);
    } catch (_) {
      showErrors(form, {}, "保存できませんでした。ネットワークを確認して、もう一度お試しください。");
    } finally {
      busy = false;
      if (button) button.disabled = false;
    }
  }

  function startNew(form) {
    form.reset(); // the reset listener clears errors and the editing state
  }

  function edit(form, row) {
    startNew(form);
    fill(form, row);
    form.dataset.editing = "1";
    const title = document.getElementById(form.getAttribute("aria-labelledby"));
    if (title && title.dataset.editTitle) title.textContent = title.dataset.editTitle;
    const first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  async function remove(button) {
    if (busy) return;
    if (!window.confirm(button.dataset.confirm || "削除しますか？")) return;
    busy = true;
    try {
      const { response, body } = await send(button.dataset.deleteMethod || "DELETE", button.dataset.deleteUrl, null, null);
      if (response.ok) {
        sessionStorage.setItem(FLASH, "削除しました。");
        window.location.reload();
        return;
      }
      if (status) status.textContent = "⚠ " + (body.message || `削除できませんでした（${response.status}）。`);
    } finally {
      busy = false;
    }
  }

  for (const form of document.querySelectorAll("form[data-url]")) {
    form.addEventListener("submit", (event) => { event.preventDefault(); submit(form); });
    form.addEventListener("reset", () => {
      clearErrors(form);
      delete form.dataset.editing;
      const title = document.getElementById(form.getAttribute("aria-labelledby"));
      if (title && title.dataset.newTitle) title.textContent = title.dataset.newTitle;
    });
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-edit], button[data-delete-url]");
    if (!target) return;
    if (target.dataset.deleteUrl) { remove(target); return; }
    const form = document.getElementById(target.dataset.edit);
    if (form) edit(form, JSON.parse(target.dataset.row));
  });

  function focusSection(id) {
    const el = document.getElementById(id);
    if (el) { el.focus(); el.scrollIntoView({ block: "start" }); }
  }

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    if (key === "n") {
      const form = document.querySelector("form[data-primary]");
      if (!form) return;
      event.preventDefault();
      startNew(form);
      const first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    } else if (key === "l") { event.preventDefault(); focusSection("list"); }
    else if (key === "h") { event.preventDefault(); focusSection("changes"); }
    else if (key === "m") { event.preventDefault(); window.location.assign("/admin"); }
  });
})();
