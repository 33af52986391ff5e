// Tweetchats: the list with a form to schedule one (anyone signed in hosts), a chat's live
// page (the host releases Q1, Q2...; answers are grouped under their question, replies under
// what they reply to; the composer knows the hashtag and the current question, and has the
// wall composer's PHI confirmation step), and the transcript afterwards.

import { api, ApiError, isAbort } from "../api.js";
import { el, toast, uid } from "../dom.js";
import { errorNotice } from "../components.js";
import { dayLabel, localDate, timeRange, wallClock, withOffset, zoneLabel } from "../time.js";
import { postItem, postText } from "../wall.js";
import { followRoom, roomSender, useConnectingStyles } from "../room.js";

function when(c) {
  return `${dayLabel(localDate(c.start))}, ${timeRange(c.start, c.end)}`;
}

const ANSWER_MARK = /^\s*(?:[@#][^\s]+[,:]?\s+)*[Aa]\d{1,2}(?=$|[\s:.)\-,;!?])/;
const STATES = { scheduled: "Scheduled", live: "Live now", ended: "Ended" };

const MAX_QUESTIONS = 20; // as the API (server/domain/connecting.py)
const MAX_DESCRIPTION = 5000; // as the API (server/schemas/connecting.py: CHAT_DESCRIPTION_MAX)
const MIN_MINUTES = 5;
const MAX_MINUTES = 24 * 60;
// Where the API's `field` is shown: the form asks for a duration, the API for an end.
const FIELD_OF = {
  title: "title", description: "description", hashtag: "hashtag", start: "start", end: "duration", questions: "questions",
};
// The chats list re-reads itself while it is open (there is no conference-wide chat event).
const LIST_REFRESH_MS = 60_000;

/** A stored question without the "Q<n>: " label the API adds (the row's label shows it). */
function unlabelled(text, number) {
  return text.replace(new RegExp(`^[Qq]${number}(?:\\s*[:.)\\-]\\s*|\\s+|$)`), "");
}

/** What the form compares against: the chat as the server has it. */
function savedValues(chat) {
  return {
    title: chat.title,
    description: chat.description || "",
    hashtag: `#${chat.hashtag}`,
    start: chat.start.slice(0, 16), // the API gives the conference's wall clock
    minutes: Math.round((Date.parse(chat.end) - Date.parse(chat.start)) / 60000),
    questions: chat.questions.map((q) => q.text),
  };
}

/**
 * The tweetchat form: title, what it is about (optional), hashtag, start (in the conference's
 * time zone), duration and the questions. Errors (the form's own, then the server's `field`)
 * are shown beside their field.
 *
 * Without `chat` it schedules one (POST) and opens the new chat's page. With `chat` (as its
 * host reads it: every question) it edits it: prefilled; released questions are shown as they
 * were asked, the others can be edited, added and removed; once the chat runs its hashtag and
 * start are read-only. Saving sends what changed: `PATCH /chats/<id>` (title, description,
 * hashtag, start, end), then `PUT /chats/<id>/questions`; `onChange(chat)` follows each
 * accepted request, `onSaved(chat)` the whole save, `onCancel()` the Cancel button.
 */
function chatForm(app, { chat = null, onSaved = () => {}, onChange = () => {}, onCancel = () => {} } = {}) {
  const conference = app.conference;
  const zone = conference.timezone || "UTC";
  const editing = Boolean(chat);
  const p = editing ? "chat-edit" : "chat"; // id prefix
  let saved = editing ? savedValues(chat) : null;
  const live = editing && chat.state !== "scheduled";
  const hints = {};
  const errors = {};
  const field = (name, label, input, hint) => {
    hints[name] = hint ? el("p", { class: "field__hint", id: `${p}-${name}-hint` }, hint) : null;
    errors[name] = el("p", { class: "field__error", id: `${p}-${name}-error` });
    input.setAttribute("aria-describedby", [hints[name] && hints[name].id, errors[name].id].filter(Boolean).join(" "));
    return el("div", { class: "field" }, el("label", { for: input.id }, label), input, hints[name], errors[name]);
  };
  const inputs = {
    title: el("input", { id: `${p}-title`, type: "text", name: "title", required: true, maxlength: 200, autocomplete: "off" }),
    description: el("textarea", { id: `${p}-description`, name: "description", rows: 3, maxlength: MAX_DESCRIPTION }),
    hashtag: el("input", {
      id: `${p}-hashtag`, type: "text", name: "hashtag", required: true, maxlength: 64, autocomplete: "off",
      autocapitalize: "off", spellcheck: "false", placeholder: "#RadChat", readonly: live,
    }),
    start: el("input", { id: `${p}-start`, type: "datetime-local", name: "start", required: true, readonly: live }),
    duration: el("input", {
      id: `${p}-duration`, type: "number", name: "duration", required: true, min: MIN_MINUTES, max: MAX_MINUTES,
      step: 5, inputmode: "numeric", value: "60", class: "chat-duration",
    }),
  };
  if (editing) {
    inputs.title.value = saved.title;
    inputs.description.value = saved.description;
    inputs.hashtag.value = saved.hashtag;
    inputs.start.value = saved.start;
    inputs.duration.value = String(saved.minutes);
  } else {
    // The next full hour, in the conference's time zone.
    inputs.start.value = wallClock(Math.ceil(Date.now() / 3600000) * 3600000, zone);
  }
  const when = el("p", { class: "field__hint chat-when", id: `${p}-when`, "aria-live": "polite" });

  // ---- the questions: one row each, added and removed (released ones stay as asked) ----
  const rows = el("ol", { class: "question-rows", id: `${p}-questions` });
  const original = new WeakMap(); // row -> {number, text} as loaded
  const addButton = el("button", { type: "button", class: "btn btn--secondary btn--small", id: editing ? "edit-add-question" : "add-question" }, "Add a question");
  errors.questions = el("p", { class: "field__error", id: `${p}-questions-error` });
  hints.questions = el("p", { class: "field__hint", id: `${p}-questions-hint` }, editing
    ? `Questions already asked stay as they were; the others can change. Up to ${MAX_QUESTIONS}.`
    : `You release them one by one while the chat runs; "Q1: " is added for you. Up to ${MAX_QUESTIONS}.`);
  const questionInputs = () => [...rows.querySelectorAll("input")];
  function renumber() {
    const all = [...rows.children];
    all.forEach((row, i) => {
      row.querySelector(".question-row__label").textContent = `Q${i + 1}`;
      const remove = row.querySelector("button");
      if (!remove) return;
      remove.setAttribute("aria-label", `Remove Q${i + 1}`);
      remove.disabled = all.length === 1;
    });
    addButton.disabled = all.length >= MAX_QUESTIONS;
  }
  function addQuestion(text = "") {
    const input = el("input", {
      id: uid(`${p}-q`), type: "text", name: "question", maxlength: 500, autocomplete: "off",
      "aria-describedby": `${p}-questions-hint ${p}-questions-error`,
    });
    input.value = text;
    const remove = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Remove");
    const row = el("li", { class: "question-row" }, el("label", { for: input.id, class: "question-row__label" }), input, remove);
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      const target = next && next.querySelector("input");
      (target || addButton).focus();
    });
    rows.append(row);
    renumber();
    return row;
  }
  function askedQuestion(question) {
    const row = el("li", { class: "question-row question-row--asked", dataset: { released: "1" } },
      el("span", { class: "question-row__label" }),
      el("span", { class: "badge question-row__asked" }, "Asked"),
      el("p", { class: "question-row__text" }, question.text));
    original.set(row, { number: question.number, text: question.text });
    rows.append(row);
  }
  addButton.addEventListener("click", () => addQuestion().querySelector("input").focus());
  if (editing) {
    for (const q of chat.questions) {
      if (q.released_at) askedQuestion(q);
      else original.set(addQuestion(unlabelled(q.text, q.number)), { number: q.number, text: q.text });
    }
    if (!rows.children.length) addQuestion();
    renumber();
  } else {
    addQuestion();
  }
  /** The list to send: released and untouched questions exactly as stored. */
  function questionList() {
    return [...rows.children].map((row, i) => {
      const was = original.get(row);
      if (row.dataset.released) return was.text;
      const text = row.querySelector("input").value.trim();
      return was && was.number === i + 1 && text === unlabelled(was.text, was.number) ? was.text : text;
    });
  }

  const formError = el("p", { class: "field__error", id: `${p}-form-error`, role: "alert" });
  const submit = el("button", { type: "submit", class: "btn btn--block", id: editing ? "save-chat" : "schedule-chat" },
    editing ? "Save changes" : "Schedule the tweetchat");
  const cancel = editing ? el("button", { type: "button", class: "btn btn--secondary btn--block", id: "cancel-edit" }, "Cancel") : null;
  if (cancel) cancel.addEventListener("click", () => onCancel());
  const form = el("form", {
    class: "chat-schedule__form", id: `${p}-form`, novalidate: true,
    "aria-labelledby": editing ? "chat-edit-h" : "chat-schedule-h",
  },
  field("title", "Title", inputs.title),
  field("description", "What it is about (optional)", inputs.description,
    `Shown under the title and in the list of chats. Up to ${MAX_DESCRIPTION.toLocaleString("en-GB")} characters.`),
  field("hashtag", "Hashtag", inputs.hashtag, live
    ? "The chat has started: its hashtag is in the answers and stays."
    : "One hashtag, e.g. #RadChat: every answer carries it."),
  field("start", "Starts", inputs.start, live
    ? `The chat is running: its start stays (${zone}); its length can change.`
    : `In the conference's time zone: ${zone}.`),
  when,
  field("duration", "Duration (minutes)", inputs.duration, "Most tweetchats last an hour."),
  el("fieldset", { class: "field question-set" },
    el("legend", { class: "field__label" }, "Questions"),
    hints.questions, rows, el("div", { class: "btn-row" }, addButton), errors.questions),
  formError,
  el("div", { class: "chat-form__actions" }, submit, cancel));

  /**
   * {start, end, endLocal} (ISO 8601; `end` in UTC, exact across a daylight saving change,
   * `endLocal` the conference's wall clock for showing), or null while not usable.
   */
  function times() {
    const minutes = Number(inputs.duration.value);
    if (!inputs.start.value || !Number.isInteger(minutes) || minutes < 1) return null;
    const start = withOffset(inputs.start.value, zone);
    const endMs = Date.parse(start) + minutes * 60000;
    if (Number.isNaN(endMs)) return null;
    return { start, end: new Date(endMs).toISOString(), endLocal: withOffset(wallClock(endMs, zone), zone) };
  }
  function paintWhen() {
    const t = times();
    when.textContent = t ? `${dayLabel(localDate(t.start))}, ${timeRange(t.start, t.endLocal)} (${zoneLabel(zone, t.start)})` : "";
  }
  inputs.start.addEventListener("input", paintWhen);
  inputs.duration.addEventListener("input", paintWhen);
  paintWhen();

  // Changing a field takes its error away (the next submit checks again).
  form.addEventListener("input", (event) => {
    const target = event.target;
    if (!target.hasAttribute || !target.hasAttribute("aria-invalid")) return;
    target.removeAttribute("aria-invalid");
    const name = target.name === "question" ? "questions" : target.name;
    if (errors[name] && !form.querySelector(`[name="${target.name}"][aria-invalid]`)) errors[name].textContent = "";
  });

  function clearErrors() {
    formError.textContent = "";
    for (const node of Object.values(errors)) node.textContent = "";
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  }
  function showError(name, message, targets) {
    errors[name].textContent = message;
    const marked = targets || (inputs[name] ? [inputs[name]] : []);
    for (const node of marked) node.setAttribute("aria-invalid", "true");
    return marked[0] || null;
  }

  /** The form's own checks (the server checks again): the first field in error, or null. */
  function check() {
    let first = null;
    const flag = (node) => { if (!first && node) first = node; };
    if (!inputs.title.value.trim()) flag(showError("title", "Give the tweetchat a title."));
    const tag = inputs.hashtag.value.trim();
    if (!tag.replace(/^[#＃]+/, "")) flag(showError("hashtag", "Give the tweetchat its hashtag, e.g. #RadChat."));
    else if (/\s/.test(tag)) flag(showError("hashtag", "One hashtag only, without spaces."));
    if (!inputs.start.value) flag(showError("start", "Choose when the tweetchat starts."));
    const minutes = Number(inputs.duration.value);
    const kept = editing && minutes === saved.minutes; // a length set through the API stays
    if (!kept && (!inputs.duration.value || !Number.isInteger(minutes) || minutes < MIN_MINUTES || minutes > MAX_MINUTES)) {
      flag(showError("duration", `A tweetchat lasts ${MIN_MINUTES} to ${MAX_MINUTES} minutes (a whole number).`));
    }
    const empty = questionInputs().filter((input) => !input.value.trim());
    if (empty.length) {
      const names = empty.map((input) => input.closest("li").querySelector("label").textContent);
      flag(showError("questions", `${names.join(", ")} ${empty.length === 1 ? "is" : "are"} empty: write ${empty.length === 1 ? "it" : "them"} or remove ${empty.length === 1 ? "it" : "them"}.`, empty));
    }
    return first;
  }

  /** The server's error beside its field (a question's nested error on its row). */
  function showServerError(error, fallback) {
    const name = error instanceof ApiError ? FIELD_OF[error.field] : null;
    if (!name) {
      formError.textContent = error.message || fallback;
      return;
    }
    let targets = null;
    const nested = name === "questions" && error.fields && error.fields.questions;
    if (nested && typeof nested === "object" && !Array.isArray(nested)) {
      targets = Object.keys(nested).map((i) => rows.children[Number(i)])
        .map((row) => row && row.querySelector("input")).filter(Boolean);
    }
    const target = showError(name, error.message, targets) || (name === "questions" ? questionInputs()[0] : null);
    if (target) target.focus();
  }

  /** PATCH with what changed, then PUT the questions if they changed. */
  async function saveEdits(t) {
    const changes = {};
    const title = inputs.title.value.trim();
    if (title !== saved.title) changes.title = title;
    const description = inputs.description.value.trim();
    if (description !== saved.description) changes.description = description || null;
    const tag = inputs.hashtag.value.trim();
    if (!live && tag !== saved.hashtag) changes.hashtag = tag;
    const moved = !live && inputs.start.value !== saved.start;
    if (moved) changes.start = t.start;
    if (moved || Number(inputs.duration.value) !== saved.minutes) changes.end = t.end;
    const questions = questionList();
    const rewritten = questions.length !== saved.questions.length || questions.some((q, i) => q !== saved.questions[i]);
    let current = chat;
    if (Object.keys(changes).length) {
      current = await api(`/chats/${chat.id}`, { method: "PATCH", body: changes });
      saved = { ...savedValues(current), questions: saved.questions };
      onChange(current);
    }
    if (rewritten) {
      current = await api(`/chats/${chat.id}/questions`, { method: "PUT", body: { questions } });
      saved = savedValues(current);
      onChange(current);
    }
    return current;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const invalid = check();
    if (invalid) {
      invalid.focus();
      return;
    }
    const t = times();
    submit.disabled = true;
    try {
      if (editing) {
        const current = await saveEdits(t);
        toast("Changes saved");
        onSaved(current);
        return;
      }
      const body = {
        title: inputs.title.value.trim(),
        ...(inputs.description.value.trim() ? { description: inputs.description.value.trim() } : {}),
        hashtag: inputs.hashtag.value.trim(),
        start: t.start,
        end: t.end,
        questions: questionInputs().map((input) => input.value.trim()),
      };
      const made = await api(`/conferences/${encodeURIComponent(conference.slug)}/chats`, { method: "POST", body });
      toast("Tweetchat scheduled");
      app.navigate(`/chats/${made.id}`);
    } catch (error) {
      showServerError(error, editing ? "Could not save the changes." : "Could not schedule the tweetchat.");
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}


async function renderList({ view, app, signal, setTitle }) {
  setTitle("Tweetchats");
  view.append(el("div", { class: "page-head" },
    el("h1", {}, "Tweetchats"),
    el("p", { class: "page-head__sub" }, "Hashtag chats: the host asks Q1, Q2…; answer with A1, A2…")));
  const body = await api(`/conferences/${encodeURIComponent(app.conference.slug)}/chats`, { signal });
  if (app.user) {
    // Anyone signed in may host a chat (as on the networks).
    view.append(el("details", { class: "form-card chat-schedule", id: "chat-schedule", open: !body.items.length },
      el("summary", { id: "chat-schedule-h" }, "Schedule a tweetchat"),
      chatForm(app)));
  } else {
    view.append(el("p", {}, el("a", { class: "btn btn--secondary", href: "/login?next=/chats" }, "Sign in to host a tweetchat")));
  }
  const box = el("div", { id: "chat-list-box" });
  view.append(box);
  let shown = "";
  /** The list as the API gave it; repainted only when something changed (focus kept). */
  function paintList(items) {
    const key = JSON.stringify(items);
    if (key === shown) return;
    shown = key;
    const focused = box.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
    box.replaceChildren(items.length
      ? el("ul", { class: "session-list", id: "chat-list" }, items.map(chatCard))
      : el("p", { class: "muted" }, "No tweetchats scheduled."));
    const again = focused && box.querySelector(`a[href="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  paintList(body.items);
  keepCurrent(async () => {
    paintList((await api(`/conferences/${encodeURIComponent(app.conference.slug)}/chats`, { signal })).items);
  }, signal);
}

function chatCard(c) {
  return el("li", { class: "card chat-card", dataset: { chatId: String(c.id) } },
    el("div", { class: "card__body" },
      el("p", { class: "card__meta" }, el("span", { class: "card__time" }, when(c)), " · ", STATES[c.state]),
      el("h2", { class: "card__title" }, el("a", { href: `/chats/${c.id}` }, c.title)),
      c.description ? el("p", { class: "chat-card__about" }, c.description) : null,
      el("p", { class: "card__subtitle" }, `#${c.hashtag} · ${c.question_count} ${c.question_count === 1 ? "question" : "questions"}`
        + (c.host ? ` · hosted by ${c.host.display_name}` : ""))));
}

/**
 * Run `load` every LIST_REFRESH_MS while the tab is visible, and at once when it becomes
 * visible again (a hidden tab asks for nothing), until `signal` aborts (the page is left).
 * A failed load is retried at the next tick.
 */
function keepCurrent(load, signal) {
  let timer = null;
  let busy = false;
  const run = async () => {
    if (busy || signal.aborted) return;
    busy = true;
    try {
      await load();
    } catch (error) {
      if (!isAbort(error)) console.warn("chats list refresh failed", error);
    } finally {
      busy = false;
    }
  };
  const start = () => {
    clearInterval(timer);
    timer = setInterval(run, LIST_REFRESH_MS);
  };
  const onVisibility = () => {
    if (document.visibilityState === "visible") {
      run();
      start();
    } else {
      clearInterval(timer);
      timer = null;
    }
  };
  document.addEventListener("visibilitychange", onVisibility);
  if (document.visibilityState === "visible") start();
  signal.addEventListener("abort", () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", onVisibility);
  }, { once: true });
}

/** Posts of one group, replies nested under the post they reply to. */
function threaded(posts) {
  const byId = new Map(posts.map((p) => [p.id, p]));
  const children = new Map();
  const roots = [];
  for (const post of posts) {
    if (post.reply_to_id && byId.has(post.reply_to_id)) {
      if (!children.has(post.reply_to_id)) children.set(post.reply_to_id, []);
      children.get(post.reply_to_id).push(post);
    } else {
      roots.push(post);
    }
  }
  return { roots, children };
}

async function renderChat({ view, app, params, signal, setTitle }) {
  let chat;
  try {
    chat = await api(`/chats/${encodeURIComponent(params.id)}`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      setTitle("Tweetchat not found");
      view.append(el("h1", {}, "Tweetchat not found"), el("p", {}, el("a", { href: "/chats" }, "All tweetchats")));
      return;
    }
    throw error;
  }
  if (chat.conference !== app.conference.slug) await app.useConference(chat.conference, signal);
  setTitle(chat.title);
  view.append(el("p", {}, el("a", { href: "/chats" }, "← Tweetchats")));
  const head = el("div", { class: "page-head" });
  const heading = el("h1", { id: "chat-title" }, chat.title);
  const stateLine = el("p", { class: "page-head__sub", id: "chat-state" });
  // What it is about: as written (links only for http(s) URLs, as in posts).
  const about = el("p", { class: "prose chat-about", id: "chat-description", hidden: true });
  head.append(heading, stateLine, about);
  view.append(head);
  const current = el("div", { class: "chat-current notice", id: "current-question", "aria-live": "polite" });
  view.append(current);
  const hostBox = el("div", { class: "btn-row chat-host", id: "host-controls" });
  view.append(hostBox);
  // The host's "Edit chat" form (the scheduling form, prefilled), under the host's buttons.
  const editBox = el("section", { class: "form-card chat-edit", id: "chat-edit", hidden: true, "aria-labelledby": "chat-edit-h" });
  view.append(editBox);
  let editing = false;
  view.append(el("p", {}, el("a", { href: `/chats/${chat.id}/transcript`, id: "transcript-link" }, "Transcript"),
    " · ", el("a", { href: `/api/v1/chats/${chat.id}/transcript.md`, download: `tweetchat-${chat.id}.md` }, "Markdown")));

  // ---- composer: the question picked, the drafted answer, reply-to ----
  const select = el("select", { id: "answer-question", name: "question" });
  const textarea = el("textarea", { id: "answer-text", rows: 3, class: "composer__text", placeholder: "Your answer…" });
  const replying = el("p", { class: "muted", id: "replying", hidden: true });
  const send = el("button", { type: "button", class: "btn", id: "answer-post" }, "Post answer");
  const draft = el("button", { type: "button", class: "btn btn--secondary", id: "answer-draft" }, "Add A-number and hashtag");
  const status = el("p", { class: "muted", "aria-live": "polite" });
  let replyTo = null;
  let picked = false; // the person chose a question: new questions do not move the choice
  // A post the PHI check stopped waits for "Post anyway" with the question and reply-to it
  // was sent with: choosing another question or reply drops it.
  const sender = roomSender({
    textarea,
    onHeld: () => { status.textContent = ""; },
    onDone: (result) => {
      if (result.failed) {
        status.textContent = result.failed.message || "The wall refused this post.";
        return;
      }
      textarea.value = "";
      replyTo = null;
      picked = false;
      replying.hidden = true;
      status.textContent = result.waiting ? "You are offline: your answer waits in the outbox." : "Posted.";
    },
  });
  select.addEventListener("change", () => { picked = true; sender.reset(); });
  const composerBox = el("section", { class: "form-card", id: "answer-composer" },
    el("h2", {}, "Answer"),
    el("div", { class: "field" }, el("label", { for: select.id }, "Answering"), select),
    replying,
    el("div", { class: "field" }, el("label", { for: textarea.id }, "Your post"), sender.element),
    sender.confirmBox,
    el("div", { class: "btn-row" }, draft, send), status);
  if (app.user) view.append(composerBox);
  else view.append(el("p", {}, el("a", { class: "btn btn--secondary", href: `/login?next=/chats/${chat.id}` }, "Sign in to take part")));

  // ---- the wall, grouped by question ----
  const wall = el("section", { class: "chat-wall", id: "chat-wall" });
  const liveDot = el("span", { class: "live-status", dataset: { status: "connecting" } }, "Connecting…");
  view.append(el("div", { class: "wall__head" }, el("h2", {}, "Answers"), liveDot), wall);
  const posts = new Map();

  function closeEdit({ focus = false } = {}) {
    editing = false;
    editBox.hidden = true;
    editBox.replaceChildren();
    paintState();
    const button = document.getElementById("edit-chat");
    if (focus && button) button.focus();
  }

  function openEdit() {
    editing = true;
    editBox.replaceChildren(el("h2", { id: "chat-edit-h" }, "Edit the chat"), chatForm(app, {
      chat,
      onChange: (changed) => { chat = changed; paintState(); paintWall(); },
      onSaved: (changed) => { chat = changed; closeEdit({ focus: true }); paintWall(); },
      onCancel: () => closeEdit({ focus: true }),
    }));
    editBox.hidden = false;
    paintState();
    editBox.querySelector("input").focus();
  }

  function paintState() {
    heading.textContent = chat.title;
    setTitle(chat.title);
    if (editing && (!chat.can_host || chat.state === "ended")) {
      editing = false; // ended meanwhile: nothing to edit any more
      editBox.hidden = true;
      editBox.replaceChildren();
    }
    stateLine.textContent = `#${chat.hashtag} · ${when(chat)} · ${STATES[chat.state]}`
      + (chat.host ? ` · hosted by ${chat.host.display_name}` : "");
    about.replaceChildren(...postText(chat.description || ""));
    about.hidden = !chat.description;
    const q = chat.current_question;
    current.replaceChildren(q
      ? el("p", {}, el("strong", {}, "Now: "), el("span", { id: "current-text" }, q.text))
      : el("p", {}, chat.state === "ended" ? "This chat has ended." : "The host has not asked the first question yet."));
    const released = chat.questions.filter((x) => x.released_at);
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "" }, "No question (just chatting)"),
      ...released.map((x) => el("option", { value: String(x.number) }, `Q${x.number}`)));
    const keep = picked && released.some((x) => String(x.number) === chosen);
    select.value = keep ? chosen : (q ? String(q.number) : "");
    // Repainted buttons keep the focus (a screen reader or keyboard user stays where they were).
    const focused = hostBox.contains(document.activeElement) ? document.activeElement.id : "";
    hostBox.replaceChildren();
    paintHostButtons();
    const again = focused && document.getElementById(focused);
    if (again) again.focus();
  }

  function paintHostButtons() {
    if (chat.can_host && chat.state !== "ended") {
      const next = chat.questions.find((x) => !x.released_at);
      if (next) {
        const b = el("button", { type: "button", class: "btn", id: "release-next" }, `Ask Q${next.number}`);
        b.title = next.text;
        b.addEventListener("click", async () => {
          b.disabled = true;
          try {
            const result = await api(`/chats/${chat.id}/next`, { method: "POST", body: { expected: next.number } });
            chat = result.chat;
            paintState();
            paintWall();
          } catch (error) {
            toast(error.message || "Could not release the question.");
            b.disabled = false;
          }
        });
        hostBox.append(b, el("span", { class: "muted chat-next" }, next.text));
      }
      const edit = el("button", {
        type: "button", class: "btn btn--secondary", id: "edit-chat", "aria-controls": "chat-edit",
        "aria-expanded": editing ? "true" : "false",
      }, "Edit chat");
      edit.addEventListener("click", () => (editing ? closeEdit() : openEdit()));
      hostBox.append(edit);
      const end = el("button", { type: "button", class: "btn btn--secondary", id: "end-chat" }, "End the chat");
      end.addEventListener("click", async () => {
        chat = await api(`/chats/${chat.id}/end`, { method: "POST" });
        paintState();
      });
      hostBox.append(end);
    }
  }

  function item(post, children) {
    const node = postItem(post, { app });
    if (app.user && chat.state !== "ended") {
      const reply = el("button", { type: "button", class: "post__delete", "aria-label": `Reply to ${post.author.display_name}` }, "Reply");
      reply.addEventListener("click", () => {
        sender.reset();
        replyTo = post;
        replying.hidden = false;
        replying.replaceChildren(`Replying to ${post.author.display_name} `, cancelReply());
        if (post.question) select.value = String(post.question);
        textarea.focus();
      });
      node.append(reply);
    }
    const kids = children.get(post.id) || [];
    if (kids.length) node.append(el("ol", { class: "post-list chat-replies" }, kids.map((k) => item(k, children))));
    return node;
  }

  function cancelReply() {
    const b = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Cancel");
    b.addEventListener("click", () => { sender.reset(); replyTo = null; replying.hidden = true; });
    return b;
  }

  function paintWall() {
    const all = [...posts.values()].sort((a, b) => a.seq - b.seq);
    const groups = new Map();
    for (const post of all) {
      const key = post.question || 0;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(post);
    }
    const sections = [];
    const released = chat.questions.filter((x) => x.released_at);
    for (const q of [...released].reverse()) {
      const { roots, children } = threaded(groups.get(q.number) || []);
      sections.push(el("section", { class: "chat-group", dataset: { question: String(q.number) } },
        el("h3", { class: "chat-group__q" }, q.text),
        roots.length ? el("ol", { class: "post-list" }, roots.map((p) => item(p, children)))
          : el("p", { class: "muted" }, "No answers yet.")));
    }
    const other = groups.get(0) || [];
    if (other.length) {
      const { roots, children } = threaded(other);
      sections.push(el("section", { class: "chat-group", dataset: { question: "0" } },
        el("h3", { class: "chat-group__q" }, "Other posts"),
        el("ol", { class: "post-list" }, roots.map((p) => item(p, children)))));
    }
    wall.replaceChildren(...sections);
  }

  draft.addEventListener("click", async () => {
    try {
      const body = await api(`/chats/${chat.id}/compose`, {
        method: "POST", body: { note: textarea.value, ...(select.value ? { question: Number(select.value) } : {}) },
      });
      sender.reset();
      textarea.value = body.text;
      textarea.focus();
    } catch (error) {
      toast(error.message || "Could not draft the answer.");
    }
  });
  send.addEventListener("click", async () => {
    const text = textarea.value;
    if (!text.trim()) {
      status.textContent = "Write something first.";
      return;
    }
    send.disabled = true;
    try {
      const extra = replyTo ? { reply_to_id: replyTo.id } : { chat_id: chat.id };
      // An "A<n>" opening the text says which question it answers (the server reads it);
      // otherwise the question picked here does.
      if (select.value && !replyTo && !ANSWER_MARK.test(text)) extra.question = Number(select.value);
      await sender.send(chat.conference, text, extra);
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : "Could not post.";
    } finally {
      send.disabled = false;
    }
  });

  paintState();
  paintWall();
  const refresh = async () => {
    try {
      chat = await api(`/chats/${chat.id}`, { signal });
      paintState();
      paintWall();
    } catch { /* the next event or rejoin tries again */ }
  };
  const updated = (data) => {
    if (data.chat_id !== chat.id) return;
    if (chat.can_host) {
      refresh();
      return;
    }
    for (const name of ["title", "description", "hashtag", "start", "end", "state", "question_count"]) {
      if (name in data) chat[name] = data[name];
    }
    paintState();
  };
  await followRoom({
    slug: chat.conference, room: chat.room, filter: { chat_id: chat.id }, signal,
    onPosts: (fresh) => { for (const p of fresh) posts.set(p.id, p); paintWall(); },
    onRemoved: (ids) => { for (const id of ids) posts.delete(id); paintWall(); },
    onStatus: (s) => { liveDot.dataset.status = s; liveDot.textContent = s === "live" ? "Live" : s === "offline" ? "Reconnecting…" : "Connecting…"; },
    onRejoin: refresh, // a question released while we were away
    // Title, description, times, hashtag edited: what everyone may see rides in the event; a
    // host re-reads the chat for its questions.
    events: { question: refresh, chat_ended: refresh, chat_updated: updated },
  });
}

async function renderTranscript({ view, app, params, signal, setTitle }) {
  const data = await api(`/chats/${encodeURIComponent(params.id)}/transcript`, { signal });
  const chat = data.chat;
  if (chat.conference !== app.conference.slug) await app.useConference(chat.conference, signal);
  setTitle(`Transcript: ${chat.title}`);
  view.append(el("p", {}, el("a", { href: `/chats/${chat.id}` }, "← The chat")));
  view.append(el("div", { class: "page-head" },
    el("h1", {}, chat.title),
    el("p", { class: "page-head__sub" }, `#${chat.hashtag} · ${when(chat)} · ${data.posts} posts by ${data.participants} people`),
    chat.description ? el("p", { class: "prose chat-about", id: "chat-description" }, postText(chat.description)) : null));
  view.append(el("p", { class: "btn-row" },
    el("a", { class: "btn btn--secondary btn--small", href: `/api/v1/chats/${chat.id}/transcript.md`, download: `tweetchat-${chat.id}.md` }, "Download Markdown"),
    el("a", { class: "btn btn--secondary btn--small", href: `/api/v1/chats/${chat.id}/transcript`, download: `tweetchat-${chat.id}.json` }, "Download JSON")));
  const entry = (a) => el("li", { class: `transcript__answer depth-${Math.min(a.depth, 3)}`, dataset: { postId: String(a.id) } },
    el("p", { class: "post__meta" },
      el("span", { class: "post__author" }, a.author.display_name), " ",
      el("span", { class: "post__handle" }, a.author.handle), " ",
      el("time", { class: "post__time", datetime: a.created_at }, a.created_at.slice(11, 16))),
    el("p", { class: "post-text" }, a.text));
  const body = el("div", { class: "transcript", id: "transcript" });
  for (const q of data.questions) {
    body.append(el("section", { class: "transcript__question", dataset: { question: String(q.number) } },
      el("h2", {}, q.text),
      q.answers.length ? el("ol", { class: "transcript__answers" }, q.answers.map(entry)) : el("p", { class: "muted" }, "No answers.")));
  }
  if (data.other.length) {
    body.append(el("section", { class: "transcript__question" }, el("h2", {}, "Other posts"),
      el("ol", { class: "transcript__answers" }, data.other.map(entry))));
  }
  if (!data.questions.length && !data.other.length) body.append(el("p", { class: "muted" }, "Nothing was posted in this chat."));
  view.append(body);
}

export async function render(ctx) {
  useConnectingStyles();
  try {
    if (ctx.mode === "transcript") return await renderTranscript(ctx);
    if (ctx.params.id) return await renderChat(ctx);
    return await renderList(ctx);
  } catch (error) {
    if (error && error.name === "AbortError") return;
    ctx.view.append(errorNotice(error));
  }
}
