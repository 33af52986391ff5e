// Following from afar: a session's live page (no account needed: its state, what comes next
// in the room and elsewhere, the live wall, the Atom feed, the digest once it is over), and
// "my following" (sessions, tracks and people I follow, with what is new).

import { api, ApiError } from "../api.js";
import { el, safeLink, toast } from "../dom.js";
import { errorNotice } from "../components.js";
import { dayLabel, localDate, timeRange } from "../time.js";
import { liveWall, postItem } from "../wall.js";
import { useConnectingStyles } from "../room.js";

const STATE_LABELS = { upcoming: "Starts later", live: "On now", ended: "Ended" };

function slotLine(s) {
  return el("li", {}, el("a", { href: `/sessions/${s.id}/live` }, s.title),
    el("span", { class: "muted" }, ` · ${timeRange(s.start, s.end)}${s.room ? ` · ${s.room}` : ""}`));
}

function digestSection(d) {
  const box = el("section", { class: "digest", id: "digest" }, el("h2", {}, "Digest"),
    el("p", { class: "muted" }, `${d.posts} posts by ${d.participants} people.`));
  if (d.most_shared.length) {
    box.append(el("h3", {}, "Most shared"), el("ol", { class: "post-list" }, d.most_shared.map((m) => {
      const node = postItem(m.post, {});
      node.append(el("p", { class: "muted" }, `${m.replies} replies · ${m.echoes} echoes`));
      return node;
    })));
  }
  const links = [...d.links, ...d.session_links.map((l) => ({ ...l, posts: 0, kind: l.kind || "link" }))];
  if (links.length) {
    box.append(el("h3", {}, "Links and slides"), el("ul", { class: "link-list" }, links.map((l) => el("li", {},
      l.kind === "slides" ? el("span", { class: "chip" }, "Slides") : null, " ", safeLink(l.url, l.title || l.url),
      l.posts ? el("span", { class: "muted" }, ` · in ${l.posts} post${l.posts === 1 ? "" : "s"}`) : null))));
  }
  if (d.speakers.length) {
    box.append(el("h3", {}, "Who spoke"), el("ul", { class: "people-list" }, d.speakers.map((s) => el("li", {},
      s.name, el("span", { class: "muted" }, ` · mentioned in ${s.mentioned_in} posts`)))));
  }
  if (d.contributors.length) {
    box.append(el("h3", {}, "Who posted"), el("ul", { class: "people-list" }, d.contributors.map((c) => el("li", {},
      c.display_name, el("span", { class: "muted" }, ` · ${c.posts} posts`)))));
  }
  return box;
}

async function renderLive({ view, app, params, signal, setTitle }) {
  let context;
  try {
    context = await api(`/sessions/${encodeURIComponent(params.id)}/live`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      setTitle("Session not found");
      view.append(el("h1", {}, "Session not found"), el("p", {}, el("a", { href: "/programme" }, "Programme")));
      return;
    }
    throw error;
  }
  const talk = await api(`/sessions/${encodeURIComponent(params.id)}`, { signal });
  if (talk.conference !== app.conference.slug) await app.useConference(talk.conference, signal);
  const s = context.session;
  setTitle(`Live: ${s.title}`);
  view.append(el("p", {}, el("a", { href: `/sessions/${talk.id}` }, "← Session details")));
  view.append(el("div", { class: "page-head" },
    el("h1", {}, s.title),
    el("p", { class: "page-head__sub", id: "live-state" },
      el("span", { class: `badge live-badge live-badge--${s.state}` }, STATE_LABELS[s.state]), " ",
      `${dayLabel(localDate(s.start))}, ${timeRange(s.start, s.end)}${s.room ? ` · ${s.room}` : ""}`,
      talk.tag ? ` · #${talk.tag}` : "")));

  const actions = el("div", { class: "btn-row" },
    el("a", { class: "btn btn--secondary btn--small", href: context.feed, id: "atom-link", type: "application/atom+xml" }, "Atom feed"));
  if (app.user) {
    const followButton = el("button", { type: "button", class: "btn btn--small", id: "follow-session" }, "Follow this session");
    followButton.addEventListener("click", async () => {
      try {
        await api("/me/following", { method: "POST", body: { kind: "session", id: talk.id } });
        followButton.textContent = "Following";
        followButton.disabled = true;
        toast("It is in your following");
      } catch (error) {
        toast(error.message || "Could not follow.");
      }
    });
    actions.append(followButton);
  } else {
    actions.append(el("span", { class: "muted" }, "No account needed to follow along; ",
      el("a", { href: `/login?next=/sessions/${talk.id}/live` }, "sign in"), " to keep it in your following."));
  }
  view.append(actions);

  const context_ = el("section", { class: "now-next", id: "now-next" });
  if (context.next_in_room) {
    context_.append(el("h2", {}, "Next in this room"), el("ul", { class: "plain-list" }, slotLine(context.next_in_room)));
  }
  const elsewhere = context.now.filter((x) => x.id !== talk.id).slice(0, 5);
  if (elsewhere.length) context_.append(el("h2", {}, "On now elsewhere"), el("ul", { class: "plain-list" }, elsewhere.map(slotLine)));
  if (context.next.length) context_.append(el("h2", {}, "Coming up"), el("ul", { class: "plain-list" }, context.next.slice(0, 5).map(slotLine)));
  view.append(context_);

  if (s.state === "ended") {
    try {
      view.append(digestSection(await api(`/sessions/${talk.id}/digest`, { signal })));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }
  if (talk.policy === "opted_out") {
    view.append(el("div", { class: "notice notice--error" }, el("p", {}, "The speaker asked not to be posted about.")));
    return;
  }
  const wall = liveWall({ app, slug: talk.conference, sessionId: talk.id, signal, title: "Live from the room" });
  view.append(wall.element);
  await wall.ready;
}

async function renderFollowing({ view, app, signal, setTitle }) {
  setTitle("My following");
  view.append(el("h1", {}, "My following"));
  if (!app.user) {
    view.append(el("div", { class: "notice" }, el("p", {}, "Sign in to keep the sessions, tracks and people you follow in one place. Live pages and feeds need no account.")),
      el("p", {}, el("a", { class: "btn", href: "/login?next=/following" }, "Sign in")));
    return;
  }
  const body = await api("/me/following", { signal });
  if (!body.items.length) {
    view.append(el("p", { class: "muted" }, "You follow nothing yet. Open a session's live page and follow it."));
    return;
  }
  const list = el("ul", { class: "session-list", id: "following-list" });
  for (const item of body.items) {
    const href = item.kind === "session" ? `/sessions/${item.target_id}/live` : null;
    const badge = el("span", { class: "chip", dataset: { count: String(item.new_posts) } }, `${item.new_posts} new`);
    const seen = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Mark as read");
    seen.addEventListener("click", async () => {
      await api(`/me/following/${item.id}/seen`, { method: "POST" });
      badge.textContent = "0 new";
    });
    const unfollow = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Unfollow");
    const row = el("li", { class: "card" }, el("div", { class: "card__body" },
      el("p", { class: "card__meta" }, item.kind, item.session ? ` · ${STATE_LABELS[item.session.state]}` : ""),
      el("h2", { class: "card__title" }, href ? el("a", { href }, item.title) : item.title),
      el("div", { class: "card__extra" }, badge),
      item.latest.length ? el("ol", { class: "post-list" }, item.latest.map((p) => postItem(p, {}))) : null,
      el("div", { class: "btn-row" }, seen, unfollow)));
    unfollow.addEventListener("click", async () => {
      await api(`/me/following/${item.id}`, { method: "DELETE" });
      row.remove();
    });
    list.append(row);
  }
  view.append(list);
}

export async function render(ctx) {
  useConnectingStyles();
  try {
    if (ctx.mode === "following") return await renderFollowing(ctx);
    return await renderLive(ctx);
  } catch (error) {
    if (error && error.name === "AbortError") return;
    ctx.view.append(errorNotice(error));
  }
}
