// What the PHI and policy checks found, shown to the person before a post goes out: the
// findings highlighted in the text, listed with their messages, and the confirmation step
// ("Post anyway") for a post the server stopped (422 `phi_suspected`). Shared by the wall's
// composer and the rooms' composers (tweetups, tweetchats). A post the check stopped stays in
// the outbox; confirming sends that same item again (same Idempotency-Key) with
// `confirm_findings`, so a retry can never make a second post.

import { el } from "./dom.js";
import { flushOutbox, store } from "./outbox.js";

/** Text split into plain runs and <mark>s at code point offsets (findings are code points). */
export function highlighted(text, findings) {
  const chars = Array.from(text);
  const spans = findings
    .filter((f) => f.start < f.end && f.end <= chars.length)
    .sort((a, b) => a.start - b.start);
  const nodes = [];
  let cursor = 0;
  for (const f of spans) {
    const start = Math.max(f.start, cursor);
    if (start >= f.end) continue;
    if (start > cursor) nodes.push(document.createTextNode(chars.slice(cursor, start).join("")));
    nodes.push(el("mark", { class: `finding finding--${f.kind || "phi"}`, dataset: { rule: f.rule } },
      chars.slice(start, f.end).join("")));
    cursor = f.end;
  }
  nodes.push(document.createTextNode(chars.slice(cursor).join("") + "\n"));
  return nodes;
}

/** <ul class="findings">: each finding's words, marked, and the check's message about them. */
export function findingsList(text, findings) {
  const chars = Array.from(text);
  return el("ul", { class: "findings" }, findings.map((f) => {
    const kind = f.kind || "phi";
    return el("li", { class: `finding-item finding-item--${kind}` },
      el("mark", { class: `finding finding--${kind}` }, chars.slice(f.start, f.end).join("")), " ", f.message);
  }));
}

/**
 * Wrap a textarea (class `composer__text`) so findings can be highlighted behind its text.
 * Returns {element, paint(findings)}: `element` goes where the textarea was meant to go.
 */
export function findingsEditor(textarea) {
  const backdrop = el("div", { class: "composer__backdrop", "aria-hidden": "true" });
  const element = el("div", { class: "composer__editor" }, backdrop, textarea);
  textarea.addEventListener("scroll", () => { backdrop.scrollTop = textarea.scrollTop; });
  return {
    element,
    backdrop,
    paint(findings) {
      backdrop.replaceChildren(...highlighted(textarea.value, findings || []));
      backdrop.scrollTop = textarea.scrollTop;
    },
  };
}

/**
 * The confirmation step, in `box` (an initially hidden `notice notice--warn` element):
 * the findings in `text` with their messages and two buttons. `onConfirm()` after the
 * confirming button (`label`), `onEdit()` after "Edit the post"; the box hides either way.
 */
export function showConfirm(box, {
  text, findings, onConfirm, onEdit = () => {}, label = "Post anyway", id = null,
  heading = "Before you post: this may identify a patient or break the session's policy.",
}) {
  const yes = el("button", { type: "button", class: "btn", id }, label);
  const no = el("button", { type: "button", class: "btn btn--secondary" }, "Edit the post");
  box.replaceChildren(
    el("p", {}, el("strong", {}, heading)),
    findings.length ? findingsList(text, findings) : null,
    el("p", {}, "Post only if you are sure nothing here identifies anyone."),
    el("div", { class: "btn-row" }, yes, no));
  box.hidden = false;
  yes.addEventListener("click", () => { box.hidden = true; onConfirm(); });
  no.addEventListener("click", () => { box.hidden = true; onEdit(); });
  yes.focus();
  return box;
}

/**
 * Send a queued outbox item now (with whatever else is queued). Resolves {sent: true},
 * {waiting: true} (offline or the server busy: it goes out later by itself) or
 * {failed: error} (refused; the item stays in the outbox, state "failed", for the caller to
 * confirm, requeue or discard).
 */
export async function sendQueued(item) {
  await flushOutbox();
  const after = await store.get("outbox", item.key);
  if (!after) return { sent: true };
  if (after.state === "failed") return { failed: after.error || {} };
  return { waiting: true };
}
