// The organiser's moderation queue: pre-approval on/off, posts waiting (pending, flagged,
// reported) with approve / hide / delete / block, watched words, and the audit log. The queue
// updates live through the moderators' room.

import { api, ApiError, isAbort } from "../api.js";
import { el, toast, uid } from "../dom.js";
import { postItem } from "../wall.js";
import { subscribe } from "../live.js";

const KINDS = [["", "All"], ["pending", "Waiting"], ["flagged", "Flagged"], ["reported", "Reported"]];

function flagText(flag) {
  if (!flag || typeof flag !== "object") return String(flag);
  if (flag.kind === "watched_word" || flag.type === "watched_word") return `Watched word “${flag.pattern || flag.word || ""}” (${flag.action || "flag"})`;
  if (flag.kind === "phi" || flag.type === "phi") return "Author confirmed a patient-privacy warning";
  if (flag.kind === "reports" || flag.type === "reports") return "Reported by users";
  return Object.entries(flag).map(([k, v]) => `${k}: ${v}`).join(", ");
}

function settingsCard(slug, settings) {
  const id = uid("premod");
  const toggle = el("input", { type: "checkbox", id, checked: Boolean(settings.premoderation) });
  const thresholdId = uid("threshold");
  const threshold = el("input", { type: "number", id: thresholdId, min: "1", max: "100", value: String(settings.report_threshold), inputmode: "numeric" });
  const save = async (body) => {
    try {
      const updated = await api(`/conferences/${encodeURIComponent(slug)}/moderation`, { method: "PATCH", body });
      toggle.checked = updated.premoderation;
      threshold.value = String(updated.report_threshold);
      toast(updated.premoderation ? "Pre-approval is on: new posts wait for you" : "Pre-approval is off");
    } catch (error) {
      toast(error.message);
    }
  };
  toggle.addEventListener("change", () => save({ premoderation: toggle.checked }));
  threshold.addEventListener("change", () => save({ report_threshold: Number.parseInt(threshold.value, 10) || 1 }));
  return el("section", { class: "form-card", "aria-labelledby": "settings-h" },
    el("h2", { id: "settings-h" }, "Settings"),
    el("div", { class: "check-field" }, toggle, el("label", { for: id }, "Pre-approve every post (the projector and the walls show only approved posts)")),
    el("div", { class: "field field--narrow" }, el("label", { for: thresholdId }, "Reports that hide a post for review"), threshold));
}

function queueSection(slug, app, signal) {
  const list = el("ul", { class: "plain-list mod-queue", "aria-live": "polite" });
  const count = el("p", { class: "muted" });
  const tabs = el("div", { class: "day-tabs", role: "group", "aria-label": "Show" });
  let kind = "";
  for (const [value, label] of KINDS) {
    const b = el("button", { type: "button", class: "day-tab", "aria-pressed": String(value === kind) }, label);
    b.addEventListener("click", () => {
      kind = value;
      for (const other of tabs.children) other.setAttribute("aria-pressed", String(other === b));
      load();
    });
    tabs.append(b);
  }

  async function decide(item, action, row) {
    try {
      await api(`/posts/${item.post.id}/${action}`, { method: "POST", body: {} });
      row.remove();
      toast({ approve: "Approved", hide: "Hidden", delete: "Deleted", restore: "Restored" }[action]);
      paintCount();
    } catch (error) {
      toast(error instanceof ApiError ? error.message : "That did not work.");
    }
  }

  async function block(item, row) {
    const author = item.post.author;
    if (!window.confirm(`Block ${author.display_name} (@${author.username})? Their posts are removed and they cannot post or report.`)) return;
    try {
      await api(`/users/${author.id}/block`, { method: "POST", body: { remove_posts: true } });
      row.remove();
      toast(`Blocked @${author.username}`);
    } catch (error) {
      toast(error.message);
    }
  }

  function row(item) {
    const r = el("li", { class: "row-card mod-item", dataset: { postId: String(item.post.id), status: item.post.status } });
    r.append(postItem(item.post, {}));
    const notes = [];
    if (item.report_count) notes.push(`${item.report_count} report${item.report_count === 1 ? "" : "s"}`);
    for (const flag of item.flags || []) notes.push(flagText(flag));
    if (notes.length) r.append(el("ul", { class: "mod-item__flags" }, notes.map((n) => el("li", {}, n))));
    const actions = el("div", { class: "btn-row" });
    const add = (label, action, cls = "btn btn--small") => {
      const b = el("button", { type: "button", class: cls, dataset: { action } }, label);
      b.addEventListener("click", () => (action === "block" ? block(item, r) : decide(item, action, r)));
      actions.append(b);
    };
    add(item.post.status === "pending" ? "Approve" : "Keep", "approve");
    if (item.post.status === "hidden") add("Restore", "restore", "btn btn--secondary btn--small");
    else add("Hide", "hide", "btn btn--secondary btn--small");
    add("Delete", "delete", "btn btn--secondary btn--small");
    add("Block author", "block", "btn btn--secondary btn--small btn--danger");
    r.append(actions);
    return r;
  }

  function paintCount() {
    const n = list.children.length;
    count.textContent = n ? `${n} ${n === 1 ? "post needs" : "posts need"} a decision` : "Nothing waiting. New posts that need you appear here at once.";
  }

  async function load() {
    try {
      const page = await api(`/conferences/${encodeURIComponent(slug)}/moderation/queue`, { params: { kind: kind || null, limit: 100 }, signal });
      list.replaceChildren(...page.items.map(row));
      paintCount();
    } catch (error) {
      if (!isAbort(error)) list.replaceChildren(el("li", { class: "notice notice--error" }, error.message));
    }
  }

  function added(data) {
    if (!data.item || list.querySelector(`[data-post-id="${data.item.post.id}"]`)) return;
    if (kind && !((kind === "pending" && data.item.post.status === "pending") || (kind === "flagged" && data.item.post.status !== "pending"))) return;
    list.append(row(data.item));
    paintCount();
  }
  subscribe(`moderation:${slug}`, {
    pending_post: added,
    flagged_post: added,
    moderated: (data) => { list.querySelector(`[data-post-id="${data.id}"]`)?.remove(); paintCount(); },
  }).then((stop) => signal.addEventListener("abort", stop, { once: true })).catch(() => {});

  const section = el("section", { class: "form-card", "aria-labelledby": "queue-h" },
    el("h2", { id: "queue-h" }, "Queue"), tabs, count, list);
  return { section, load };
}

function wordsSection(slug, signal) {
  const list = el("ul", { class: "plain-list" });
  const patternId = uid("pattern");
  const actionId = uid("action");
  const pattern = el("input", { id: patternId, type: "text", required: true, autocomplete: "off" });
  const action = el("select", { id: actionId },
    el("option", { value: "hold" }, "Hold for approval"), el("option", { value: "flag" }, "Post, and flag for review"), el("option", { value: "block" }, "Refuse the post"));
  const form = el("form", { class: "words-form" },
    el("div", { class: "field" }, el("label", { for: patternId }, "Word or phrase"), pattern),
    el("div", { class: "field" }, el("label", { for: actionId }, "Then"), action),
    el("button", { type: "submit", class: "btn btn--small" }, "Watch"));
  const paint = (items) => list.replaceChildren(...items.map((w) => {
    const remove = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Remove");
    const li = el("li", { class: "word-row" }, el("span", { class: "word-row__pattern" }, w.pattern), el("span", { class: "chip" }, w.action), remove);
    remove.addEventListener("click", async () => {
      try {
        await api(`/conferences/${encodeURIComponent(slug)}/watched-words/${w.id}`, { method: "DELETE" });
        li.remove();
      } catch (error) {
        toast(error.message);
      }
    });
    return li;
  }));
  const load = async () => {
    try {
      paint((await api(`/conferences/${encodeURIComponent(slug)}/watched-words`, { signal })).items);
    } catch (error) {
      if (!isAbort(error)) list.replaceChildren(el("li", { class: "muted" }, error.message));
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!pattern.value.trim()) return;
    try {
      await api(`/conferences/${encodeURIComponent(slug)}/watched-words`, { method: "POST", body: { pattern: pattern.value.trim(), action: action.value } });
      pattern.value = "";
      load();
    } catch (error) {
      toast(error.message);
    }
  });
  load();
  return el("section", { class: "form-card", "aria-labelledby": "words-h" }, el("h2", { id: "words-h" }, "Watched words"),
    el("p", { class: "muted" }, "Ordinary medical vocabulary is never matched on its own; watch specific words or phrases."), form, list);
}

async function auditSection(slug, signal) {
  const section = el("details", { class: "form-card audit" }, el("summary", {}, "Audit log (latest 30)"));
  try {
    const page = await api(`/conferences/${encodeURIComponent(slug)}/audit`, { params: { limit: 30 }, signal });
    const list = el("ol", { class: "audit__list" });
    for (const entry of page.items) {
      const who = entry.actor ? (entry.actor.username || entry.actor) : entry.actor_id ? `#${entry.actor_id}` : "";
      list.append(el("li", {}, el("time", { datetime: entry.created_at }, (entry.created_at || "").replace("T", " ").slice(0, 16)), " ",
        String(entry.action || ""), entry.target_type ? ` ${entry.target_type} ${entry.target_id ?? ""}` : "", who ? ` · ${who}` : "",
        entry.reason ? ` — ${entry.reason}` : ""));
    }
    section.append(list);
  } catch (error) {
    if (isAbort(error)) throw error;
    section.append(el("p", { class: "muted" }, error.message));
  }
  return section;
}

export async function render({ view, app, params, signal, setTitle }) {
  setTitle("Moderation");
  if (params.slug) await app.useConference(params.slug, signal);
  const slug = app.conference.slug;
  view.append(el("h1", {}, "Moderation"));
  if (!app.user || !["organizer", "moderator"].includes(app.user.role)) {
    view.append(el("div", { class: "notice" }, el("p", {}, "Moderation is for the conference's organisers and moderators.")));
    return;
  }
  let settings;
  try {
    settings = await api(`/conferences/${encodeURIComponent(slug)}/moderation`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      view.append(el("div", { class: "notice" }, el("p", {}, error.message)));
      return;
    }
    throw error;
  }
  view.append(el("p", { class: "btn-row" },
    el("a", { class: "btn btn--secondary btn--small", href: `/wall/${encodeURIComponent(slug)}/projector` }, "Open the projector"),
    el("a", { class: "btn btn--secondary btn--small", href: `/wall/${encodeURIComponent(slug)}` }, "Live wall")));
  view.append(settingsCard(slug, settings));
  const queue = queueSection(slug, app, signal);
  view.append(queue.section);
  await queue.load();
  view.append(wordsSection(slug, signal));
  view.append(await auditSection(slug, signal));
}
