// My drafts (on this device and on my account) and my outbox (posts waiting for a connection).

import { api, ApiError, isAbort } from "../api.js";
import { el, toast } from "../dom.js";
import { composer } from "../composer.js";
import { discard, flushOutbox, onOutboxChange, requeue, store } from "../outbox.js";

/** A draft by id: this device's copy if it has one, else the account's. */
export async function loadDraft(id) {
  const local = await store.get("drafts", id).catch(() => null);
  if (local) return local;
  try {
    return await api(`/me/drafts/${encodeURIComponent(id)}`);
  } catch {
    return null;
  }
}

function draftHref(draft) {
  return draft.session_id
    ? `/sessions/${draft.session_id}?draft=${encodeURIComponent(draft.id)}#compose`
    : `/compose?draft=${encodeURIComponent(draft.id)}`;
}

function excerpt(text) {
  const t = (text || "").replace(/\s+/g, " ").trim();
  return t.length > 140 ? `${t.slice(0, 139)}…` : t || "(empty)";
}

function outboxSection(signal) {
  const section = el("section", { class: "form-card", id: "outbox", "aria-labelledby": "outbox-h" },
    el("h2", { id: "outbox-h" }, "Outbox"));
  const list = el("ul", { class: "plain-list" });
  const note = el("p", { class: "muted", "aria-live": "polite" });
  const sendNow = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Send now");
  sendNow.addEventListener("click", async () => {
    const result = await flushOutbox();
    toast(result.sent ? `Sent ${result.sent}` : result.waiting ? "Still offline" : "Nothing to send");
    paint();
  });
  section.append(note, list, sendNow);

  async function paint() {
    const items = (await store.all("outbox").catch(() => [])).sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    list.replaceChildren();
    sendNow.hidden = !items.some((i) => i.state === "queued");
    note.textContent = items.length
      ? `${items.length} ${items.length === 1 ? "post" : "posts"} not on the wall yet.`
      : "Nothing waiting: every post you wrote has been delivered.";
    for (const item of items) {
      const row = el("li", { class: "row-card", dataset: { key: item.key } },
        el("p", { class: "post-text" }, excerpt(item.text)),
        el("p", { class: item.state === "failed" ? "field__error" : "muted" },
          item.state === "failed" ? (item.error && item.error.message) || "Refused" : "Waiting for a connection"));
      const actions = el("div", { class: "btn-row" });
      if (item.state === "failed") {
        const retry = el("button", { type: "button", class: "btn btn--small" },
          item.error && item.error.code === "phi_suspected" ? "Post anyway" : "Try again");
        retry.addEventListener("click", async () => {
          await requeue(item.key, item.error && item.error.code === "phi_suspected" ? { confirm_findings: true } : {});
          await flushOutbox();
          paint();
        });
        actions.append(retry);
      }
      const drop = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Discard");
      drop.addEventListener("click", async () => { await discard(item.key); paint(); });
      actions.append(drop);
      row.append(actions);
      list.append(row);
    }
  }
  const stop = onOutboxChange(() => paint());
  signal.addEventListener("abort", stop, { once: true });
  paint();
  return section;
}

async function draftsSection(app, signal) {
  const section = el("section", { class: "form-card", "aria-labelledby": "drafts-h" }, el("h2", { id: "drafts-h" }, "Drafts"));
  const local = await store.all("drafts").catch(() => []);
  const byId = new Map(local.map((d) => [d.id, { ...d, where: "this device" }]));
  if (app.user) {
    try {
      const body = await api("/me/drafts", { signal });
      for (const d of body.items) {
        const mine = byId.get(d.id);
        if (!mine || (mine.updated_at || "") < (d.updated_at || "")) byId.set(d.id, { ...d, where: "your account" });
        else mine.where = "this device and your account";
      }
    } catch (error) {
      if (isAbort(error)) throw error;
      section.append(el("p", { class: "muted" }, "Only this device's drafts are shown (the server is unreachable)."));
    }
  }
  const drafts = [...byId.values()].filter((d) => (d.text || "").trim())
    .sort((a, b) => ((a.updated_at || "") < (b.updated_at || "") ? 1 : -1));
  if (!drafts.length) {
    section.append(el("p", { class: "muted" }, "No drafts. Anything you start writing is kept here until you post it."));
    return section;
  }
  const list = el("ul", { class: "plain-list" });
  for (const d of drafts) {
    const remove = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Delete");
    const row = el("li", { class: "row-card", dataset: { draftId: d.id } },
      el("p", { class: "post-text" }, excerpt(d.text)),
      el("p", { class: "muted" }, `Saved on ${d.where}${d.session_id ? " · about a session" : ""}`),
      el("div", { class: "btn-row" }, el("a", { class: "btn btn--small", href: draftHref(d) }, "Continue"), remove));
    remove.addEventListener("click", async () => {
      await store.delete("drafts", d.id).catch(() => {});
      if (app.user) {
        try {
          await api(`/me/drafts/${encodeURIComponent(d.id)}`, { method: "DELETE" });
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 404) toast(error.message);
        }
      }
      row.remove();
    });
    list.append(row);
  }
  section.append(list);
  return section;
}

export async function render({ view, app, signal, setTitle, mode, query }) {
  if (mode === "compose") {
    setTitle("New post");
    view.append(el("h1", {}, "New post"));
    const draft = query.get("draft") ? await loadDraft(query.get("draft")) : null;
    view.append(composer({ app, draft, signal, heading: "Post to the wall" }));
    return;
  }
  setTitle("Drafts and outbox");
  view.append(el("h1", {}, "Drafts and outbox"));
  view.append(outboxSection(signal));
  view.append(await draftsSection(app, signal));
}
