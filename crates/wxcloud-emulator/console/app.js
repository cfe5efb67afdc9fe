// The emulator's web console. It only displays: every read and change goes through the JSON
// endpoints under /__emulator/ (documented in docs/emulator.md), which own all the logic.
"use strict";

const $ = (id) => document.getElementById(id);
const PAGE = 50;

// ---- talking to the emulator ------------------------------------------------------------

/** Calls a console endpoint; resolves to its JSON reply (errcode 0 or an error reply). */
async function api(method, path, body, raw) {
  const init = { method, headers: {} };
  if (raw !== undefined) {
    init.body = raw;
  } else if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  let reply;
  try {
    reply = await fetch(path, init);
  } catch (e) {
    return { errcode: -1, errmsg: "the emulator is not reachable: " + e.message };
  }
  try {
    return await reply.json();
  } catch (e) {
    return { errcode: -1, errmsg: "HTTP " + reply.status + ": not a JSON reply" };
  }
}

/** Shows a one-line status; errors stay until the next message. */
function say(text, isError) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error-text", Boolean(isError));
}

function failed(reply) {
  if (reply.errcode === 0) return false;
  say("errcode " + reply.errcode + ": " + reply.errmsg + (reply.hint ? " — " + reply.hint : ""), true);
  return true;
}

const enc = encodeURIComponent;

// ---- small display helpers --------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function bytes(n) {
  if (n < 1024) return n + " B";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
  return (n / 1024 / 1024).toFixed(1) + " MiB";
}

const time = (ms) => new Date(ms).toISOString().replace("T", " ").slice(0, 23);
const clock = (ms) => new Date(ms).toISOString().slice(11, 23);

/** Fills a table body with rows; an empty list shows `empty`. */
function fillRows(tbody, rows, columns, empty) {
  tbody.replaceChildren();
  if (rows.length === 0) {
    tbody.append(el("tr", {}, el("td", { colspan: columns, class: "hint" }, empty)));
  }
  for (const r of rows) tbody.append(r);
}

/** A table row that can be chosen with the mouse or the keyboard (Enter / Space). */
function choosableRow(cells, onChoose) {
  const tr = el("tr", { tabindex: "0", class: "choosable" }, ...cells.map((c) => el("td", {}, c)));
  tr.addEventListener("click", () => onChoose(tr));
  tr.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onChoose(tr); }
  });
  return tr;
}

function markChosen(container, chosen) {
  for (const n of container.querySelectorAll(".chosen")) n.classList.remove("chosen");
  chosen.classList.add("chosen");
}

// Extended JSON with its types shown: {"$numberLong": "5"} is rendered as 5 with an Int64 badge.
const TYPES = {
  $numberInt: "Int32", $numberLong: "Int64", $numberDouble: "Double", $numberDecimal: "Decimal128",
  $date: "Date", $oid: "ObjectId", $binary: "Binary", $regularExpression: "RegExp",
  $timestamp: "Timestamp", $minKey: "MinKey", $maxKey: "MaxKey", $symbol: "Symbol", $code: "Code",
};

function wrapper(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  return keys.length === 1 && TYPES[keys[0]] ? keys[0] : null;
}

function wrapped(key, inner) {
  if (key === "$date") {
    const ms = typeof inner === "object" && inner ? Number(inner.$numberLong) : Date.parse(inner);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : JSON.stringify(inner);
  }
  if (typeof inner === "string") return inner;
  return JSON.stringify(inner);
}

/** Appends the rendering of `v` at indentation `depth` to `out`; `types` shows a badge with
 * each value's Extended JSON type (for records; plain JSON such as a request body has none). */
function renderValue(out, v, depth, types) {
  const pad = "  ".repeat(depth);
  const w = types ? wrapper(v) : null;
  if (w) {
    out.append(el("span", { class: "v-" + TYPES[w].toLowerCase() }, wrapped(w, v[w])), " ",
      el("span", { class: "type" }, TYPES[w]));
    return;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) { out.append("[]"); return; }
    out.append("[\n");
    v.forEach((item, i) => {
      out.append(pad + "  ");
      renderValue(out, item, depth + 1, types);
      out.append(i < v.length - 1 ? ",\n" : "\n");
    });
    out.append(pad + "]");
    return;
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 0) { out.append("{}"); return; }
    out.append("{\n");
    keys.forEach((k, i) => {
      out.append(pad + "  ", el("span", { class: "key" }, JSON.stringify(k)), ": ");
      renderValue(out, v[k], depth + 1, types);
      out.append(i < keys.length - 1 ? ",\n" : "\n");
    });
    out.append(pad + "}");
    return;
  }
  const kind = v === null ? "null" : typeof v;
  out.append(el("span", { class: "v-" + kind }, JSON.stringify(v)));
  // Canonical Extended JSON writes Int32 as a plain number and wraps every other number type.
  const badge = { string: "String", boolean: "Boolean", number: "Int32" }[kind];
  if (badge && types) out.append(" ", el("span", { class: "type" }, badge));
}

function showJson(pre, value, types) {
  pre.replaceChildren();
  renderValue(pre, value, 0, Boolean(types));
}

/** A one-line preview of a record for the list: its _id and first fields. */
function summary(doc) {
  const parts = [];
  for (const [k, v] of Object.entries(doc)) {
    if (k === "_id") continue;
    const w = wrapper(v);
    const shown = w ? wrapped(w, v[w]) : JSON.stringify(v);
    parts.push(k + ": " + (shown.length > 30 ? shown.slice(0, 30) + "…" : shown));
    if (parts.length === 3) break;
  }
  return parts.join("  ");
}

const idText = (id) => { const w = wrapper(id); return w ? wrapped(w, id[w]) : typeof id === "string" ? id : JSON.stringify(id); };

// ---- panels -----------------------------------------------------------------------------

const panels = ["database", "storage", "functions", "requests", "tokens"];
let active = "database";

function showPanel(name, focus) {
  if (!panels.includes(name)) name = "database";
  active = name;
  for (const p of panels) {
    const tab = $("tab-" + p);
    const on = p === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $("panel-" + p).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  refreshPanel();
}

function refreshPanel() {
  if (active === "database") loadEnvs();
  if (active === "storage") loadFiles();
  if (active === "functions") loadFunctions();
  if (active === "requests") loadRequests(true);
  if (active === "tokens") { loadTokens(); loadFaults(); }
}

$("tabs").addEventListener("click", (e) => {
  const tab = e.target.closest("[role=tab]");
  if (tab) showPanel(tab.id.slice(4), false);
});
$("tabs").addEventListener("keydown", (e) => {
  const i = panels.indexOf(active);
  if (e.key === "ArrowRight") showPanel(panels[(i + 1) % panels.length], true);
  else if (e.key === "ArrowLeft") showPanel(panels[(i + panels.length - 1) % panels.length], true);
  else return;
  e.preventDefault();
});
window.addEventListener("hashchange", () => showPanel(location.hash.slice(1), false));

// ---- Database ---------------------------------------------------------------------------

const db = { envs: [], env: null, coll: null, offset: 0, total: 0, docs: [], doc: null, sort: "", order: "asc" };

function fillEnvSelect(select, envs, current) {
  select.replaceChildren(...envs.map((e) => el("option", { value: e, selected: e === current }, e)));
}

async function loadEnvs() {
  const reply = await api("GET", "/__emulator/db");
  if (failed(reply)) return;
  db.envs = reply.envs;
  if (!db.env || !db.envs.some((e) => e.env === db.env)) db.env = db.envs.length ? db.envs[0].env : null;
  fillEnvSelect($("db-env"), db.envs.map((e) => e.env), db.env);
  renderCollections();
}

function currentCollections() {
  const env = db.envs.find((e) => e.env === db.env);
  return env ? env.collections : [];
}

function renderCollections() {
  const list = $("collections");
  list.replaceChildren();
  const colls = currentCollections();
  if (colls.length === 0) list.append(el("li", { class: "hint" }, "No collections yet."));
  for (const c of colls) {
    const button = el("button", { type: "button", class: "item" + (c.name === db.coll ? " chosen" : ""), "aria-current": c.name === db.coll ? "true" : null,
      onclick: () => openCollection(c.name) },
      el("span", { class: "name" }, c.name), el("span", { class: "meta" }, c.count + " · " + bytes(c.size)));
    list.append(el("li", {}, button));
  }
  const c = colls.find((x) => x.name === db.coll);
  if (db.coll && !c) { db.coll = null; }
  $("coll-title").textContent = db.coll || "No collection selected";
  $("coll-meta").textContent = c ? c.count + " records · " + bytes(c.size) + " · " + (c.indexes.length + 1) + (c.indexes.length ? " indexes" : " index") : "";
  for (const id of ["doc-add", "coll-drop", "sort-apply"]) $(id).disabled = !c;
  renderIndexes(c);
  if (!c) { $("documents").replaceChildren(); $("page-info").textContent = ""; showDoc(null); }
}

function renderIndexes(c) {
  const rows = [];
  if (c) {
    rows.push(el("tr", {}, el("td", {}, "_id_"), el("td", {}, "_id: 1"), el("td", {}, "yes"), el("td", {})));
    for (const ix of c.indexes) {
      rows.push(el("tr", {}, el("td", {}, ix.name), el("td", {}, ix.keys.map((k) => k.name + ": " + k.direction).join(", ")),
        el("td", {}, ix.unique ? "yes" : "no"),
        el("td", {}, el("button", { type: "button", class: "danger small", "aria-label": "Drop index " + ix.name,
          onclick: () => dropIndex(ix.name) }, "Drop"))));
    }
  }
  fillRows($("indexes"), rows, 4, "Select a collection.");
}

async function openCollection(name) {
  db.coll = name;
  db.offset = 0;
  db.doc = null;
  renderCollections();
  await loadDocuments();
}

async function loadDocuments() {
  if (!db.coll) return;
  let q = "?offset=" + db.offset + "&limit=" + PAGE;
  if (db.sort) q += "&sort=" + enc(db.sort) + "&order=" + db.order;
  const reply = await api("GET", "/__emulator/db/" + enc(db.env) + "/" + enc(db.coll) + "/documents" + q);
  if (failed(reply)) return;
  db.total = reply.total;
  db.docs = reply.documents;
  const list = $("documents");
  list.replaceChildren();
  if (db.docs.length === 0) list.append(el("li", { class: "hint" }, "No records."));
  for (const doc of db.docs) {
    const button = el("button", { type: "button", class: "item record-item", onclick: () => { markChosen(list, button); showDoc(doc); } },
      el("span", { class: "name" }, idText(doc._id)), el("span", { class: "meta" }, summary(doc)));
    list.append(el("li", {}, button));
  }
  const from = db.total === 0 ? 0 : db.offset + 1;
  $("page-info").textContent = from + "–" + (db.offset + db.docs.length) + " of " + db.total;
  $("page-prev").disabled = db.offset === 0;
  $("page-next").disabled = db.offset + PAGE >= db.total;
  const still = db.doc && db.docs.find((d) => JSON.stringify(d._id) === JSON.stringify(db.doc._id));
  showDoc(still || null);
}

function showDoc(doc) {
  db.doc = doc;
  $("doc-editor").hidden = true;
  $("doc-view").hidden = false;
  $("doc-edit").disabled = !doc;
  $("doc-delete").disabled = !doc;
  $("doc-title").textContent = doc ? "Record " + idText(doc._id) : "Record";
  if (doc) showJson($("doc-view"), doc, true);
  else $("doc-view").textContent = db.coll ? "Select a record." : "";
}

let editing = null; // "add" or "edit"

function openEditor(mode) {
  editing = mode;
  const text = mode === "edit" ? JSON.stringify(db.doc, null, 2) : "{\n  \n}";
  $("doc-text").value = text;
  $("doc-view").hidden = true;
  $("doc-editor").hidden = false;
  $("doc-title").textContent = mode === "edit" ? "Edit record " + idText(db.doc._id) : "New record";
  validateEditor();
  $("doc-text").focus();
}

function validateEditor() {
  let ok = true;
  let message = "Valid JSON.";
  try {
    const v = JSON.parse($("doc-text").value);
    if (v === null || typeof v !== "object" || Array.isArray(v)) { ok = false; message = "A record is a JSON object."; }
  } catch (e) {
    ok = false;
    message = "Not JSON: " + e.message;
  }
  $("doc-valid").textContent = message;
  $("doc-valid").classList.toggle("error-text", !ok);
  $("doc-text").setAttribute("aria-invalid", String(!ok));
  $("doc-save").disabled = !ok;
  return ok;
}

async function saveDocument(e) {
  e.preventDefault();
  if (!validateEditor()) return;
  const path = "/__emulator/db/" + enc(db.env) + "/" + enc(db.coll) + "/documents";
  const reply = await api(editing === "edit" ? "PUT" : "POST", path, $("doc-text").value);
  if (reply.errcode !== 0) {
    $("doc-valid").textContent = "errcode " + reply.errcode + ": " + reply.errmsg;
    $("doc-valid").classList.add("error-text");
    return;
  }
  say(editing === "edit" ? "Record saved." : "Record added.");
  if (editing === "add") db.doc = null;
  await loadEnvs();
  await loadDocuments();
}

async function deleteDocument() {
  if (!db.doc || !confirm("Delete record " + idText(db.doc._id) + "?")) return;
  const reply = await api("POST", "/__emulator/db/" + enc(db.env) + "/" + enc(db.coll) + "/documents/delete", { _id: db.doc._id });
  if (failed(reply)) return;
  say("Record deleted.");
  db.doc = null;
  await loadEnvs();
  await loadDocuments();
}

async function createCollection(e) {
  e.preventDefault();
  const name = $("new-collection-name").value.trim();
  const reply = await api("POST", "/__emulator/db/" + enc(db.env), { name });
  if (failed(reply)) return;
  $("new-collection-name").value = "";
  say("Collection " + name + " created.");
  await loadEnvs();
  await openCollection(name);
}

async function dropCollection() {
  if (!db.coll || !confirm("Drop collection " + db.coll + " with all its records?")) return;
  const reply = await api("DELETE", "/__emulator/db/" + enc(db.env) + "/" + enc(db.coll));
  if (failed(reply)) return;
  say("Collection " + db.coll + " dropped.");
  db.coll = null;
  await loadEnvs();
}

async function createIndex(e) {
  e.preventDefault();
  const index = { name: $("index-name").value.trim(), unique: $("index-unique").checked,
    keys: [{ name: $("index-field").value.trim(), direction: $("index-direction").value }] };
  const reply = await api("POST", "/__emulator/db/" + enc(db.env) + "/" + enc(db.coll) + "/indexes", index);
  if (failed(reply)) return;
  say("Index " + index.name + " created.");
  await loadEnvs();
}

async function dropIndex(name) {
  const reply = await api("DELETE", "/__emulator/db/" + enc(db.env) + "/" + enc(db.coll) + "/indexes/" + enc(name));
  if (failed(reply)) return;
  say("Index " + name + " dropped.");
  await loadEnvs();
}

async function runStatement(e) {
  e.preventDefault();
  const reply = await api("POST", "/__emulator/statement", { env: db.env, statement: $("statement").value });
  const error = $("statement-error");
  const result = $("statement-result");
  if (reply.errcode !== 0) {
    error.replaceChildren(el("strong", { class: "errcode" }, "errcode " + reply.errcode), " ", reply.errmsg,
      reply.hint ? el("p", { class: "hint" }, reply.hint) : null);
    error.hidden = false;
    result.hidden = true;
    return;
  }
  error.hidden = true;
  const shown = Object.assign({}, reply);
  delete shown.errcode; delete shown.errmsg;
  // Records come back as Extended JSON text, as from the service: show them as values.
  if (Array.isArray(shown.data)) shown.data = shown.data.map((r) => { try { return JSON.parse(r); } catch (x) { return r; } });
  showJson(result, shown, true);
  result.hidden = false;
  say("Ran a " + reply.kind + " statement.");
  loadEnvs();
  if (db.coll) loadDocuments();
}

$("db-env").addEventListener("change", () => { db.env = $("db-env").value; db.coll = null; renderCollections(); });
$("new-collection").addEventListener("submit", createCollection);
$("coll-drop").addEventListener("click", dropCollection);
$("doc-add").addEventListener("click", () => openEditor("add"));
$("doc-edit").addEventListener("click", () => openEditor("edit"));
$("doc-delete").addEventListener("click", deleteDocument);
$("doc-cancel").addEventListener("click", () => showDoc(db.doc));
$("doc-text").addEventListener("input", validateEditor);
$("doc-editor").addEventListener("submit", saveDocument);
$("page-prev").addEventListener("click", () => { db.offset = Math.max(0, db.offset - PAGE); loadDocuments(); });
$("page-next").addEventListener("click", () => { db.offset += PAGE; loadDocuments(); });
$("sort-apply").addEventListener("click", () => { db.sort = $("sort-field").value.trim(); db.order = $("sort-order").value; db.offset = 0; loadDocuments(); });
$("new-index").addEventListener("submit", createIndex);
$("statement-box").addEventListener("submit", runStatement);
$("statement").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("statement-box").requestSubmit();
});

// ---- Storage ----------------------------------------------------------------------------

let filesEnv = null;

async function loadFiles() {
  if (!filesEnv) {
    const envs = await api("GET", "/__emulator/db");
    if (failed(envs)) return;
    filesEnv = envs.envs.length ? envs.envs[0].env : null;
    fillEnvSelect($("files-env"), envs.envs.map((e) => e.env), filesEnv);
  }
  const reply = await api("GET", "/__emulator/files?env=" + enc(filesEnv));
  if (failed(reply)) return;
  const rows = reply.files.map((f) => {
    const url = "/__emulator/files/" + enc(f.env) + "?path=" + enc(f.path);
    return el("tr", {},
      el("td", {}, el("button", { type: "button", class: "link", onclick: () => preview(f, url) }, f.path)),
      el("td", {}, bytes(f.size)), el("td", {}, f.content_type.split(";")[0]), el("td", {}, time(f.uploaded_ms)),
      el("td", { class: "actions" },
        el("a", { href: url + "&download=1", download: f.path.split("/").pop(), class: "button small" }, "Download"),
        el("button", { type: "button", class: "danger small", "aria-label": "Delete " + f.path, onclick: () => deleteFile(f, url) }, "Delete")));
  });
  fillRows($("files"), rows, 5, "No files in " + filesEnv + ".");
}

async function preview(f, url) {
  const box = $("preview");
  box.replaceChildren(el("h3", {}, f.path), el("p", { class: "meta" }, bytes(f.size) + " · " + f.content_type.split(";")[0] + " · " + f.file_id));
  if (f.content_type.startsWith("image/")) {
    box.append(el("img", { src: url, alt: "Preview of " + f.path }));
  } else if (f.content_type.startsWith("text/") || f.content_type === "application/json") {
    const reply = await fetch(url);
    const text = await reply.text();
    box.append(el("pre", { class: "text-preview", tabindex: "0" }, text.length > 20000 ? text.slice(0, 20000) + "\n…" : text));
  } else {
    box.append(el("p", { class: "hint" }, "No preview for this type; download it instead."));
  }
}

async function deleteFile(f, url) {
  if (!confirm("Delete " + f.path + "?")) return;
  const reply = await api("DELETE", url);
  if (failed(reply)) return;
  say("Deleted " + f.path + ".");
  $("preview").replaceChildren(el("p", { class: "hint" }, "Select a file to preview it."));
  loadFiles();
}

async function uploadFiles(fileList) {
  let prefix = $("upload-prefix").value.trim().replace(/^\/+/, "");
  if (prefix && !prefix.endsWith("/")) prefix += "/";
  for (const file of fileList) {
    const path = prefix + file.name;
    const reply = await api("POST", "/__emulator/files/" + enc(filesEnv) + "?path=" + enc(path), undefined, file);
    if (failed(reply)) return;
    say("Uploaded " + path + " (" + bytes(reply.size) + ").");
  }
  await loadFiles();
}

const drop = $("dropzone");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadFiles(e.dataTransfer.files); });
$("file-input").addEventListener("change", (e) => { uploadFiles(e.target.files); e.target.value = ""; });
$("files-env").addEventListener("change", () => { filesEnv = $("files-env").value; loadFiles(); });
$("files-refresh").addEventListener("click", loadFiles);

// ---- Functions --------------------------------------------------------------------------

let functionsShown = "";

async function loadFunctions() {
  const reply = await api("GET", "/__emulator/functions");
  if (failed(reply)) return;
  const text = JSON.stringify(reply);
  if (text === functionsShown) return; // keep the chosen row while nothing changed
  functionsShown = text;
  const names = $("functions");
  names.replaceChildren(...reply.functions.map((n) => el("li", { class: "chip" }, n)));
  if (reply.functions.length === 0) names.append(el("li", { class: "hint" }, "No functions registered (see --function NAME=URL)."));
  const tbody = $("invocations");
  const rows = reply.invocations.map((c) => choosableRow(
    [clock(c.time_ms), c.name, el("span", { class: c.errcode === 0 ? "ok" : "bad" }, String(c.errcode)), c.duration_ms.toFixed(1) + " ms"],
    (tr) => { markChosen(tbody, tr); showJson($("invocation"), c); }));
  fillRows(tbody, rows, 4, "No calls yet.");
}

$("functions-refresh").addEventListener("click", loadFunctions);

// ---- Requests ---------------------------------------------------------------------------

let lastSeq = 0;

async function loadRequests(restart) {
  const tbody = $("requests");
  if (restart) { lastSeq = 0; tbody.replaceChildren(); }
  const code = $("filter-errcode").value.trim();
  let q = "?after=" + lastSeq + "&path=" + enc($("filter-path").value.trim());
  if (code) q += "&errcode=" + enc(code);
  const reply = await api("GET", "/__emulator/requests" + q);
  if (failed(reply)) return;
  lastSeq = reply.last_seq;
  if (restart && reply.requests.length === 0) fillRows(tbody, [], 6, "No requests yet.");
  if (reply.requests.length > 0) {
    const placeholder = tbody.querySelector("td.hint");
    if (placeholder) placeholder.parentElement.remove();
  }
  // Newest on top.
  for (const r of reply.requests) {
    const bad = r.errcode !== null && r.errcode !== 0;
    tbody.prepend(choosableRow(
      [clock(r.time_ms), r.method, r.path, String(r.status),
        el("span", { class: bad || r.status >= 400 ? "bad" : "ok" }, r.errcode === null ? "—" : String(r.errcode)),
        r.duration_ms.toFixed(1) + " ms"],
      (tr) => { markChosen(tbody, tr); showRequest(r.seq); }));
  }
}

async function showRequest(seq) {
  const reply = await api("GET", "/__emulator/requests/" + seq);
  if (failed(reply)) return;
  showJson($("request-detail"), reply.request);
}

$("request-filter").addEventListener("submit", (e) => { e.preventDefault(); loadRequests(true); });
$("requests-clear").addEventListener("click", async () => {
  if (!failed(await api("DELETE", "/__emulator/requests"))) loadRequests(true);
});

// ---- Tokens and faults ------------------------------------------------------------------

async function loadTokens() {
  const reply = await api("GET", "/__emulator/tokens");
  if (failed(reply)) return;
  const rows = reply.tokens.map((t) => el("tr", {}, el("td", { class: "mono" }, t.token), el("td", {}, t.kind), el("td", {}, t.appid),
    el("td", {}, time(t.expires_ms) + " (" + t.expires_in + " s)"), el("td", {}, el("span", { class: t.state === "valid" ? "ok" : "bad" }, t.state))));
  fillRows($("tokens"), rows, 5, "No tokens issued yet.");
}

function describeFault(f) {
  const parts = [];
  if (f.errcode !== null && f.errcode !== undefined) parts.push("errcode " + f.errcode + (f.errmsg ? " (" + f.errmsg + ")" : ""));
  if (f.status) parts.push("HTTP " + f.status);
  if (f.drop) parts.push("drops the connection");
  if (f.delay_ms) parts.push("waits " + f.delay_ms + " ms");
  return parts.join(", ");
}

async function loadFaults() {
  const reply = await api("GET", "/__emulator/faults");
  if (failed(reply)) return;
  const rows = reply.faults.map((f) => el("tr", {}, el("td", {}, f.path), el("td", {}, describeFault(f)), el("td", {}, String(f.left))));
  fillRows($("faults"), rows, 3, "No pending faults.");
}

async function injectFault(e) {
  e.preventDefault();
  const kind = $("fault-kind").value;
  const fault = { path: $("fault-path").value.trim(), times: Number($("fault-times").value) };
  const delay = Number($("fault-delay").value);
  if (delay > 0) fault.delay_ms = delay;
  if (kind === "errcode") { fault.errcode = Number($("fault-errcode").value); fault.errmsg = $("fault-errmsg").value; }
  if (kind === "status") { fault.status = Number($("fault-status").value); fault.body = $("fault-body").value; }
  if (kind === "drop") fault.drop = true;
  const reply = await api("POST", "/__emulator/faults", fault);
  if (failed(reply)) return;
  say("Fault injected on " + fault.path + ".");
  loadFaults();
}

function showFaultFields() {
  const kind = $("fault-kind").value;
  const visible = { "fault-errcode": kind === "errcode", "fault-errmsg": kind === "errcode", "fault-status": kind === "status", "fault-body": kind === "status" };
  for (const [id, on] of Object.entries(visible)) {
    $(id).disabled = !on;
    document.querySelector("label[for=" + id + "]").classList.toggle("off", !on);
  }
}

$("tokens-refresh").addEventListener("click", loadTokens);
$("tokens-expire").addEventListener("click", async () => {
  if (!failed(await api("POST", "/__emulator/tokens/expire", {}))) { say("Every token issued so far has expired."); loadTokens(); }
});
$("fault-form").addEventListener("submit", injectFault);
$("fault-kind").addEventListener("change", showFaultFields);
$("faults-clear").addEventListener("click", async () => {
  if (!failed(await api("DELETE", "/__emulator/faults"))) { say("Faults cleared."); loadFaults(); }
});

// ---- live updates -----------------------------------------------------------------------

// Polling (not server-sent events) keeps the emulator's hot path free of subscribers.
setInterval(() => {
  if (document.hidden) return;
  if (active === "requests" && $("requests-live").checked) loadRequests(false);
  if (active === "functions") loadFunctions();
  if (active === "tokens") { loadTokens(); loadFaults(); }
}, 1000);

showFaultFields();
showPanel(location.hash.slice(1) || "database", false);
