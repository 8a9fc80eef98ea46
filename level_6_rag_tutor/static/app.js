// Build AI from Zero - AI Tutor: browser front-end.
// Plain script, no frameworks, no network except our own server (works offline in a lab).
// Safety rule: text from the server or the student never reaches innerHTML unless it
// has first gone through escapeHtml() inside renderMarkdown().
"use strict";

const CONV_KEY = "buildai.conversation";
const LANG_KEY = "buildai.lang";

const STRINGS = {
  en: {
    title: "Build AI from Zero - AI Tutor", subjectLabel: "Subject", anySubject: "Any subject",
    langLabel: "Language", newChat: "New chat", questionLabel: "Your question",
    placeholder: "Ask a question about your studies...", send: "Send",
    footer: "Answers come from the class notes. Check important facts with your teacher.",
    helpline: "Feeling low or unsafe? Talk to someone you trust, or call Tele-MANAS, free, any time: 14416.",
    welcome: "Hello! Ask me anything from your class notes - science, maths, history and more.",
    thinking: "Thinking", sources: "Sources", note: "Confidence note:",
    helpful: "Helpful", notHelpful: "Not helpful", thanks: "Thanks for the feedback!",
    feedbackFailed: "Could not save your feedback. Please try again.",
    tooMany: "Too many questions at once - please wait a minute.",
    tooLong: "That question is too long. Please keep it under 1000 characters.",
    badQuestion: "I couldn't read that question. Please check it and try again.",
    serverError: "The tutor ran into a problem. Please try again in a moment.",
    streamError: "Sorry, something went wrong while answering.",
    cutOff: "The answer stopped early. Please ask again.",
    network: "I can't reach the tutor right now. Check the connection and try again.",
  },
  hi: {
    title: "Build AI from Zero - AI ट्यूटर", subjectLabel: "विषय", anySubject: "कोई भी विषय",
    langLabel: "भाषा", newChat: "नई बातचीत", questionLabel: "आपका सवाल",
    placeholder: "अपनी पढ़ाई से जुड़ा कोई सवाल पूछिए...", send: "भेजें",
    footer: "जवाब कक्षा के नोट्स से आते हैं। ज़रूरी बातें अपने शिक्षक से ज़रूर जाँच लें।",
    helpline: "मन उदास है या डर लग रहा है? किसी भरोसेमंद व्यक्ति से बात करें, या टेली-मानस को मुफ़्त में, कभी भी फ़ोन करें: 14416।",
    welcome: "नमस्ते! अपने कक्षा के नोट्स से कुछ भी पूछिए - विज्ञान, गणित, इतिहास और भी बहुत कुछ।",
    thinking: "सोच रहा हूँ", sources: "स्रोत", note: "भरोसे के बारे में:",
    helpful: "मददगार", notHelpful: "मददगार नहीं", thanks: "आपकी राय के लिए धन्यवाद!",
    feedbackFailed: "आपकी राय सेव नहीं हो पाई। कृपया फिर से कोशिश करें।",
    tooMany: "एक साथ बहुत सारे सवाल - कृपया एक मिनट रुकिए।",
    tooLong: "सवाल बहुत लंबा है। कृपया 1000 अक्षरों से छोटा रखें।",
    badQuestion: "यह सवाल समझ नहीं आया। कृपया जाँचकर फिर से पूछिए।",
    serverError: "ट्यूटर में कोई दिक्कत आ गई। कृपया थोड़ी देर बाद फिर कोशिश करें।",
    streamError: "माफ़ कीजिए, जवाब देते समय कुछ गड़बड़ हो गई।",
    cutOff: "जवाब बीच में रुक गया। कृपया फिर से पूछिए।",
    network: "अभी ट्यूटर से जुड़ नहीं पा रहे। कनेक्शन जाँचकर फिर कोशिश करें।",
  },
};

const $ = (id) => document.getElementById(id);
const els = {
  subject: $("subject"), lang: $("lang"), newChat: $("new-chat"), messages: $("messages"),
  form: $("ask-form"), question: $("question"), send: $("send"),
};
const subjectLabels = {};   // subject id -> label, so sources can show "Science" not "science"
let lang = "en";
let busy = false;
let controller = null;      // AbortController of the answer now streaming

function t(key) { return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key; }

// localStorage can throw (private mode, blocked storage); the chat must still work.
function store(key, value) {
  try { if (value == null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* ignore */ }
}
function load(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = String(text);
  return node;
}

// ---------- Safe Markdown: escape first, then add only our own tags ----------
function escapeHtml(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function renderInline(s) {
  // Split out `code` first so that * inside code stays literal.
  return s.split(/(`[^`\n]+`)/).map((part, i) => {
    if (i % 2 === 1) return "<code>" + part.slice(1, -1) + "</code>";
    return part
      .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, "<strong>$1</strong>")
      .replace(/\*([^\s*](?:[^*\n]*?[^\s*])?)\*/g, "<em>$1</em>");
  }).join("");
}

function renderMarkdown(src) {
  const text = escapeHtml(String(src || "").replace(/\r\n?/g, "\n")).trim();
  const out = [];
  for (const block of text.split(/\n[ \t]*\n+/)) {
    let para = [];
    let list = null;   // {tag, items, start}
    const flushPara = () => { if (para.length) out.push("<p>" + para.map(renderInline).join("<br>") + "</p>"); para = []; };
    const flushList = () => {
      if (!list) return;
      const start = list.tag === "ol" && list.start !== 1 ? ' start="' + list.start + '"' : "";
      out.push("<" + list.tag + start + ">" + list.items.map((x) => "<li>" + renderInline(x) + "</li>").join("") + "</" + list.tag + ">");
      list = null;
    };
    for (const line of block.split("\n")) {
      const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
      const numbered = /^\s*(\d{1,4})[.)]\s+(.*)$/.exec(line);
      const tag = bullet ? "ul" : numbered ? "ol" : null;
      if (tag) {
        flushPara();
        if (!list || list.tag !== tag) { flushList(); list = { tag, items: [], start: numbered ? parseInt(numbered[1], 10) : 1 }; }
        list.items.push(bullet ? bullet[1] : numbered[2]);
      } else if (line.trim()) {
        flushList();
        para.push(line.trim());
      }
    }
    flushPara();
    flushList();
  }
  return out.join("");
}

// ---------- Messages ----------
function scrollToEnd() { els.messages.scrollTop = els.messages.scrollHeight; }

function showWelcome() {
  if (!els.messages.querySelector(".message")) {
    els.messages.replaceChildren(el("div", "welcome", t("welcome")));
    els.messages.firstChild.setAttribute("data-i18n", "welcome");
  }
}

function addMessage(role) {
  const welcome = els.messages.querySelector(".welcome");
  if (welcome) welcome.remove();
  const msg = el("div", "message " + role);
  msg.appendChild(el("div", "text"));
  els.messages.appendChild(msg);
  return msg;
}

function addStudent(text) {
  const msg = addMessage("student");
  msg.querySelector(".text").textContent = text;   // never HTML
  scrollToEnd();
}

function setAnswer(msg, text) { msg.querySelector(".text").innerHTML = renderMarkdown(text); }

function showSources(msg, data) {
  const sources = Array.isArray(data && data.sources) ? data.sources : [];
  if (data && data.guardrail) msg.setAttribute("data-guardrail", String(data.guardrail));
  if (data && typeof data.note === "string" && data.note.trim()) {
    const note = el("div", "confidence-note");
    const label = el("span", "note-label", t("note"));
    label.setAttribute("data-i18n", "note");
    note.append(label, " ", el("span", "note-text", data.note.trim()));
    msg.insertBefore(note, msg.querySelector(".feedback-row"));
  }
  if (!sources.length) return;
  const box = el("div", "sources");
  const details = el("details");
  const summary = el("summary");
  const label = el("span", null, t("sources"));
  label.setAttribute("data-i18n", "sources");
  summary.append(label, el("span", "source-count", "(" + sources.length + ")"));
  details.appendChild(summary);
  for (const s of sources) {
    const item = el("div", "source");
    const head = el("div", "source-head");
    head.appendChild(el("span", "source-title", s.title || "?"));
    if (s.subject) head.appendChild(el("span", "source-subject", subjectLabels[s.subject] || s.subject));
    item.appendChild(head);
    if (s.snippet) item.appendChild(el("p", "source-snippet", s.snippet));
    details.appendChild(item);
  }
  box.appendChild(details);
  msg.insertBefore(box, msg.querySelector(".feedback-row"));
}

function addFeedbackRow(msg) {
  const row = el("div", "feedback-row");
  for (const [cls, emoji, key, rating] of [["up", "👍", "helpful", 1], ["down", "👎", "notHelpful", -1]]) {
    const b = el("button", "feedback " + cls, emoji);
    b.type = "button";
    b.disabled = true;   // enabled once the server tells us the message id ("done")
    b.setAttribute("aria-label", t(key));
    b.setAttribute("data-i18n-aria", key);
    b.setAttribute("aria-pressed", "false");
    b.addEventListener("click", () => sendFeedback(msg, b, rating));
    row.appendChild(b);
  }
  row.appendChild(el("span", "feedback-status"));
  msg.appendChild(row);
}

function markDone(msg, messageId, feedback) {
  msg.setAttribute("data-done", "true");
  msg.removeAttribute("aria-busy");
  if (messageId == null) return;
  msg.setAttribute("data-message-id", String(messageId));
  msg.querySelectorAll("button.feedback").forEach((b) => {
    b.disabled = false;
    const on = (feedback === 1 && b.classList.contains("up")) || (feedback === -1 && b.classList.contains("down"));
    b.classList.toggle("chosen", on);
    b.setAttribute("aria-pressed", on ? "true" : "false");
  });
}

function showError(msg, friendly, detail) {
  msg.classList.add("error");
  const row = msg.querySelector(".feedback-row");
  if (row) row.remove();          // nothing to rate
  const text = msg.querySelector(".text");
  const target = text.textContent.trim() ? msg.appendChild(el("div", "error-note")) : text;
  target.replaceChildren(el("span", null, friendly));
  if (detail && detail !== friendly) target.appendChild(el("small", "error-detail", detail));
  scrollToEnd();
}

async function sendFeedback(msg, button, rating) {
  if (button.classList.contains("chosen")) return;
  const buttons = msg.querySelectorAll("button.feedback");
  const status = msg.querySelector(".feedback-status");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const res = await fetch("/api/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message_id: Number(msg.getAttribute("data-message-id")), rating }),
    });
    if (!res.ok) throw new Error("HTTP " + res.status);
    buttons.forEach((b) => { b.classList.toggle("chosen", b === button); b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
    status.textContent = t("thanks");
  } catch (e) {
    status.textContent = t("feedbackFailed");
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// ---------- Asking a question (POST + Server-Sent Events over fetch) ----------
function detailText(body) {
  if (!body) return "";
  if (typeof body.detail === "string") return body.detail;
  if (Array.isArray(body.detail)) return body.detail.map((d) => (d && d.msg) || "").filter(Boolean).join("; ");
  return "";
}

function friendlyForStatus(status) {
  if (status === 429) return t("tooMany");
  if (status === 413) return t("tooLong");
  if (status === 400 || status === 422) return t("badQuestion");
  return t("serverError");
}

// Parses one SSE block ("event: x\ndata: {...}") into {event, data}.
function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;   // comments / keep-alives
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? "" : line.slice(i + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  try { return { event, data: JSON.parse(data.join("\n")) }; } catch (e) { return null; }
}

async function ask(question) {
  busy = true;
  els.send.disabled = true;
  addStudent(question);
  const msg = addMessage("tutor");
  msg.setAttribute("aria-busy", "true");
  const typing = el("div", "typing", t("thinking"));
  msg.appendChild(typing);
  addFeedbackRow(msg);
  scrollToEnd();

  let answer = "";
  let finished = false;
  const ctrl = new AbortController();
  controller = ctrl;
  try {
    const res = await fetch("/api/chat", {
      method: "POST", signal: ctrl.signal,
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question, lang, subject: els.subject.value || null, conversation_id: load(CONV_KEY) }),
    });
    if (res.status !== 200) {
      let body = null;
      try { body = await res.json(); } catch (e) { /* not JSON */ }
      typing.remove();
      showError(msg, friendlyForStatus(res.status), detailText(body));
      return;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const handle = (block) => {
      const ev = parseEvent(block);
      if (!ev || finished) return;
      const d = ev.data || {};
      if (ev.event === "token") {
        typing.remove();
        answer += typeof d.text === "string" ? d.text : "";
        setAnswer(msg, answer);   // re-render the whole answer safely on every token
        scrollToEnd();
      } else if (ev.event === "sources") {
        showSources(msg, d);
      } else if (ev.event === "done") {
        finished = true;
        if (d.conversation_id) store(CONV_KEY, String(d.conversation_id));
        markDone(msg, d.message_id, null);
      } else if (ev.event === "error") {
        finished = true;
        showError(msg, t("streamError"), typeof d.detail === "string" ? d.detail : "");
      }
    };
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      buffer = buffer.replace(/\r\n/g, "\n");   // accept CRLF servers; a lone trailing \r waits for its \n
      const parts = buffer.split("\n\n");
      buffer = parts.pop();
      parts.forEach(handle);
      if (done) { if (buffer.trim()) handle(buffer); break; }
    }
    if (!finished) showError(msg, answer ? t("cutOff") : t("serverError"), "");
  } catch (e) {
    if (e && e.name === "AbortError") { msg.remove(); return; }   // "New chat" was pressed
    if (!finished) showError(msg, t("network"), "");
  } finally {
    typing.remove();
    msg.removeAttribute("aria-busy");
    if (controller === ctrl) controller = null;
    busy = false;
    els.send.disabled = false;
    scrollToEnd();
  }
}

// ---------- History, subjects, language ----------
async function loadHistory() {
  const id = load(CONV_KEY);
  if (!id) return;
  try {
    const res = await fetch("/api/conversations/" + encodeURIComponent(id));
    if (res.status === 404) { store(CONV_KEY, null); return; }   // old or deleted chat: forget quietly
    if (!res.ok) return;
    const data = await res.json();
    if (load(CONV_KEY) !== id || busy || els.messages.querySelector(".message")) return;   // user moved on
    for (const m of data.messages || []) {
      if (m.role === "student") { addStudent(m.text || ""); continue; }
      const msg = addMessage("tutor");
      setAnswer(msg, m.text || "");
      addFeedbackRow(msg);
      showSources(msg, m);
      markDone(msg, m.id, m.feedback);
    }
    scrollToEnd();
  } catch (e) { /* offline or bad JSON: just start fresh */ }
}

async function loadSubjects() {
  try {
    const res = await fetch("/api/subjects");
    if (!res.ok) return;
    const data = await res.json();
    for (const s of data.subjects || []) {
      if (!s || s.id == null) continue;
      subjectLabels[s.id] = s.label || s.id;
      const opt = el("option", null, s.label || s.id);
      opt.value = String(s.id);
      els.subject.appendChild(opt);
    }
  } catch (e) { /* keep "Any subject" only */ }
}

function applyLang(next) {
  lang = STRINGS[next] ? next : "en";
  els.lang.value = lang;
  document.documentElement.lang = lang;
  document.title = t("title");
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.getAttribute("data-i18n")); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.getAttribute("data-i18n-placeholder")); });
  document.querySelectorAll("[data-i18n-aria]").forEach((n) => { n.setAttribute("aria-label", t(n.getAttribute("data-i18n-aria"))); });
}

// ---------- Wiring ----------
els.form.addEventListener("submit", (e) => {
  e.preventDefault();
  const q = els.question.value.trim();
  if (!q || busy) { els.question.focus(); return; }
  els.question.value = "";
  ask(q);
  els.question.focus();
});

els.question.addEventListener("keydown", (e) => {
  // Enter sends, Shift+Enter is a new line; never send while an IME (e.g. Hindi typing) is composing.
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
    e.preventDefault();
    if (els.form.requestSubmit) els.form.requestSubmit(); else els.send.click();
  }
});

els.newChat.addEventListener("click", () => {
  if (controller) controller.abort();
  store(CONV_KEY, null);
  els.messages.replaceChildren();
  showWelcome();
  els.question.focus();
});

els.lang.addEventListener("change", () => { applyLang(els.lang.value); store(LANG_KEY, lang); });

applyLang(load(LANG_KEY) || "en");
showWelcome();
loadSubjects();
loadHistory();
