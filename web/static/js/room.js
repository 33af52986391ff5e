// Rooms that are part of a conference's wall: a tweetup's (`tweetup:<id>`) and a tweetchat's
// (`chat:<id>`). The first screen and every (re)join catch up over HTTP from the last
// sequence number seen (GET .../posts?after=&tweetup_id|chat_id=), so nothing is missed
// while the socket was away; posts are de-duplicated by id. Posting goes through the outbox
// (same Idempotency-Key on every retry) with the PHI confirmation step, like the wall's
// composer.

import { api, ApiError } from "./api.js";
import { el, toast } from "./dom.js";
import { subscribe } from "./live.js";
import { discard, queuePost, requestSync, requeue } from "./outbox.js";
import { findingsEditor, sendQueued, showConfirm } from "./findings.js";

const PAGE = 200;

/** Load the page's own stylesheet once (the app shell links only app.css). */
export function useConnectingStyles() {
  if (document.querySelector('link[data-connecting-css]')) return;
  document.head.append(el("link", { rel: "stylesheet", href: "/static/connecting.css", dataset: { connectingCss: "1" } }));
}

/**
 * Follow a room: `filter` is {tweetup_id} or {chat_id}; `events` are extra socket events
 * ({question: fn}); `onPosts(posts)` gets new posts oldest first, `onRemoved(ids)`,
 * `onStatus(status)`, `onRejoin()` after each (re)join. Returns a promise of {stop}.
 */
export async function followRoom({ slug, room, filter, onPosts, onRemoved, onStatus = () => {}, onRejoin = () => {}, events = {}, signal }) {
  const seen = new Set();
  let seq = 0;
  let stopped = false;
  const path = `/conferences/${encodeURIComponent(slug)}/posts`;

  function accept(posts) {
    const fresh = [];
    for (const post of posts) {
      if (post.seq != null && post.seq > seq) seq = post.seq;
      if (seen.has(post.id)) continue;
      seen.add(post.id);
      fresh.push(post);
    }
    if (fresh.length && !stopped) onPosts(fresh);
  }

  async function catchUp() {
    for (let pages = 0; pages < 25; pages += 1) {
      const page = await api(path, { params: { after: seq, limit: PAGE, ...filter }, signal });
      if (page.removed && page.removed.length && !stopped) onRemoved(page.removed);
      accept(page.items);
      if (!page.next) {
        if (page.seq > seq) seq = page.seq;
        break;
      }
      seq = page.next;
    }
  }

  onStatus("connecting");
  await catchUp();
  let stop = () => {};
  try {
    stop = await subscribe(room, {
      posts: (data) => accept(data.posts || []),
      post_removed: (data) => { if (!stopped) onRemoved([data.id]); },
      ...events,
    }, {
      onJoin: async (ack) => {
        if (!ack || !ack.ok) {
          onStatus("offline");
          return;
        }
        try {
          await catchUp();
          onStatus("live");
          onRejoin();
        } catch {
          onStatus("offline");
        }
      },
    });
  } catch {
    onStatus("offline");
  }
  const halt = () => { stopped = true; stop(); };
  signal?.addEventListener("abort", halt, { once: true });
  return { stop: halt };
}

/**
 * Sending from a room's composer, with the wall composer's PHI step. `textarea` (class
 * `composer__text`) is wrapped so findings can be highlighted behind its text: put
 * `element` in the form where the textarea goes, and `confirmBox` above the buttons.
 * `send(slug, text, extra)` writes the post to the outbox (`extra`: {tweetup_id} or
 * {chat_id, question}, reply_to_id) and sends it; `onDone(result)` gets {sent: true},
 * {waiting: true} or {failed: error} once it is settled. When the server stops it as
 * possibly identifying a patient (422 `phi_suspected`), the findings are highlighted and
 * listed with their messages and `onHeld()` is called; "Post anyway" sends the same outbox
 * item again (same Idempotency-Key) with `confirm_findings`, so it is posted once at most;
 * "Edit the post", changing the text or `reset()` drops it.
 */
export function roomSender({ textarea, onDone, onHeld = () => {} }) {
  const editor = findingsEditor(textarea);
  const confirmBox = el("div", { class: "notice notice--warn composer__confirm", hidden: true, role: "alert" });
  let held = null; // the outbox item the PHI check stopped, waiting for the person

  async function reset() {
    confirmBox.hidden = true;
    if (!held) return;
    const key = held.key;
    held = null;
    editor.paint([]);
    await discard(key).catch(() => {});
  }
  textarea.addEventListener("input", () => { if (held) reset(); });

  async function settle(item, result) {
    const error = result.failed;
    if (error && error.code === "phi_suspected") {
      held = item;
      const findings = error.findings || [];
      textarea.value = item.text;
      editor.paint(findings);
      onHeld(findings);
      showConfirm(confirmBox, {
        text: item.text, findings,
        heading: "Before you post: this may identify a patient.",
        onConfirm: () => confirm(item),
        onEdit: () => { reset(); textarea.focus(); },
      });
      return;
    }
    if (error) await discard(item.key);
    if (result.waiting) requestSync();
    onDone(result);
  }

  async function confirm(item) {
    if (held !== item) return;
    held = null;
    editor.paint([]);
    try {
      const again = await requeue(item.key, { confirm_findings: true });
      if (!again) {
        onDone({ failed: { message: "This post is no longer in your outbox; write it again." } });
        return;
      }
      await settle(again, await sendQueued(again));
    } catch {
      onDone({ failed: { message: "Could not post." } });
    }
  }

  return {
    element: editor.element,
    confirmBox,
    reset,
    async send(slug, text, extra) {
      await reset();
      const item = await queuePost({ slug, text, extra });
      await settle(item, await sendQueued(item));
    },
  };
}

/** A small composer: a text box and a button; `extra()` gives the fields at send time. */
export function roomComposer({ app, slug, label, placeholder, extra, prefill = null, onSent }) {
  const id = `room-text-${Math.random().toString(36).slice(2, 8)}`;
  const textarea = el("textarea", { id, rows: 3, class: "composer__text", placeholder });
  const button = el("button", { type: "button", class: "btn", id: "room-post" }, "Post");
  const status = el("p", { class: "muted", "aria-live": "polite" });
  const sender = roomSender({
    textarea,
    onHeld: () => { status.textContent = ""; },
    onDone: (result) => {
      if (result.failed) {
        status.textContent = result.failed.message || "The wall refused this post.";
        return;
      }
      textarea.value = "";
      status.textContent = result.waiting ? "You are offline: your post waits in the outbox." : "Posted.";
      if (result.sent) toast("Posted");
      if (onSent) onSent();
    },
  });
  const root = el("div", { class: "form-card room-composer" },
    el("div", { class: "field" }, el("label", { for: id }, label), sender.element),
    sender.confirmBox,
    el("div", { class: "btn-row" }, button), status);
  if (!app.user) {
    textarea.disabled = true;
    button.disabled = true;
    status.replaceChildren("Sign in to post. ", el("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, "Sign in"));
    return { element: root, textarea };
  }
  if (prefill) textarea.value = prefill;
  button.addEventListener("click", async () => {
    const text = textarea.value;
    if (!text.trim()) {
      status.textContent = "Write something first.";
      textarea.focus();
      return;
    }
    button.disabled = true;
    try {
      await sender.send(slug, text, extra());
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : "Could not post.";
    } finally {
      button.disabled = false;
    }
  });
  return { element: root, textarea };
}
