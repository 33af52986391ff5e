// A live wall: posts newest first. New posts go straight in while you are at the top; when
// you have scrolled down to read, they wait behind an "N new posts" pill so nothing moves
// under your eyes. Screen readers hear a short announcement; reduced motion is respected.

import { api, ApiError } from "./api.js";
import { el, safeLink, toast } from "./dom.js";
import { handleLink } from "./components.js";
import { follow } from "./live.js";
import { clock, dayLabel, localDate } from "./time.js";

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?)\]}'"»”’]+$/;
const MAX_POSTS = 300;
const ANNOUNCE_MS = 4000;

/** Post text as nodes: plain text, and only http(s) URLs as links. */
export function postText(text) {
  const nodes = [];
  let cursor = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    let url = m[0];
    const trail = TRAILING.exec(url);
    if (trail) url = url.slice(0, url.length - trail[0].length);
    if (m.index > cursor) nodes.push(document.createTextNode(text.slice(cursor, m.index)));
    nodes.push(safeLink(url, url));
    cursor = m.index + url.length;
  }
  if (cursor < text.length) nodes.push(document.createTextNode(text.slice(cursor)));
  return nodes;
}

async function reportPost(post, button) {
  const reason = window.prompt("What is wrong with this post? Moderators will look at it.");
  if (!reason || !reason.trim()) return;
  try {
    await api(`/posts/${post.id}/reports`, { method: "POST", body: { reason: reason.trim().slice(0, 500) } });
    button.disabled = true;
    button.textContent = "Reported";
    toast("Thank you: the moderators will look at it");
  } catch (error) {
    toast(error instanceof ApiError ? error.message : "Could not report the post.");
  }
}

function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** One post as a list item. */
export function postItem(post, { app, onDelete, large = false } = {}) {
  const author = post.author || {};
  const handle = author.handles && author.handles.x ? handleLink("x", author.handles.x).label : `@${author.username}`;
  const item = el("li", { class: large ? "post post--large" : "post", dataset: { postId: String(post.id) } },
    el("p", { class: "post__meta" },
      el("span", { class: "post__author" }, author.display_name || author.username || "Someone"),
      el("span", { class: "post__handle" }, handle),
      el("time", { class: "post__time", datetime: post.created_at }, when(post.created_at))),
    el("p", { class: "post-text" }, postText(post.text || "")));
  const images = (post.images || []).filter((i) => /^\/media\/[\w.-]+$/.test(i.thumbnail_url || "") && /^\/media\/[\w.-]+$/.test(i.url || ""));
  if (images.length) {
    item.append(el("div", { class: "post__images" }, images.map((i) => el("a", { href: i.url, target: "_blank", rel: "noopener" },
      el("img", { src: i.thumbnail_url, alt: i.alt || "", width: i.thumbnail_width || null, height: i.thumbnail_height || null, loading: "lazy", decoding: "async" })))));
  }
  if (post.status && post.status !== "visible") {
    item.classList.add("post--pending");
    item.append(el("p", { class: "badge badge--embargoed" },
      post.status === "held" ? "Held until the embargo lifts" : "Waiting for a moderator's approval"));
  }
  if (app && app.user && author.id === app.user.id && onDelete) {
    const remove = el("button", { type: "button", class: "post__delete", "aria-label": "Delete my post" }, "Delete");
    remove.addEventListener("click", () => onDelete(post, item));
    item.append(remove);
  } else if (app && app.user && onDelete && post.status === "visible") {
    const report = el("button", { type: "button", class: "post__delete", "aria-label": `Report the post by ${author.display_name || author.username}` }, "Report");
    report.addEventListener("click", () => reportPost(post, report));
    item.append(report);
  }
  return item;
}

/**
 * Render a live wall for `room` into a new element. Options: app, slug, sessionId, signal,
 * title. Returns {element, ready (Promise), addOwn(post)}.
 */
export function liveWall({ app, slug, sessionId = null, signal, title = "Live wall", headingLevel = "h2" }) {
  const room = sessionId ? `session:${sessionId}` : `conference:${slug}`;
  const statusDot = el("span", { class: "live-status", dataset: { status: "connecting" } }, "Connecting…");
  const list = el("ol", { class: "post-list", "aria-label": title, reversed: true });
  const empty = el("p", { class: "muted wall__empty" }, "No posts yet. Be the first.");
  const pill = el("button", { type: "button", class: "new-pill", hidden: true, id: "new-posts" });
  const announcer = el("p", { class: "visually-hidden", "aria-live": "polite", id: "wall-announcer" });
  const element = el("section", { class: "wall", dataset: { room } },
    el("div", { class: "wall__head" }, el(headingLevel, {}, title), statusDot),
    pill, empty, list, announcer);

  const waiting = []; // posts that arrived while the reader was scrolled down
  let pendingAnnounce = 0;
  let announceTimer = null;

  const atTop = () => {
    const top = list.getBoundingClientRect().top;
    return top >= 0 || window.scrollY < 80;
  };

  function announce(count, first) {
    pendingAnnounce += count;
    if (announceTimer) return;
    announceTimer = setTimeout(() => {
      const n = pendingAnnounce;
      announcer.textContent = n === 1 && first
        ? `New post from ${first.author?.display_name || "someone"}: ${first.text.slice(0, 140)}`
        : `${n} new posts`;
      pendingAnnounce = 0;
      announceTimer = null;
    }, 600);
  }

  async function onDelete(post, item) {
    try {
      await api(`/posts/${post.id}`, { method: "DELETE" });
      item.remove();
      toast("Post deleted");
    } catch (error) {
      toast(error instanceof ApiError ? error.message : "Could not delete the post.");
    }
  }

  function insert(posts, { animate }) {
    // posts arrive oldest first; the list shows newest first.
    for (const post of posts) {
      const existing = list.querySelector(`[data-post-id="${post.id}"]`);
      const node = postItem(post, { app, onDelete });
      if (animate) node.classList.add("post--new");
      if (existing) existing.replaceWith(node);
      else list.prepend(node);
    }
    while (list.children.length > MAX_POSTS) list.lastElementChild.remove();
    empty.hidden = list.children.length > 0;
  }

  function paintPill() {
    pill.hidden = waiting.length === 0;
    pill.textContent = waiting.length === 1 ? "1 new post ↑" : `${waiting.length} new posts ↑`;
  }

  pill.addEventListener("click", () => {
    insert(waiting.splice(0), { animate: true });
    paintPill();
    element.scrollIntoView({ block: "start" });
    list.firstElementChild?.focus?.();
  });

  const onScroll = () => {
    if (waiting.length && atTop()) {
      insert(waiting.splice(0), { animate: true });
      paintPill();
    }
  };
  window.addEventListener("scroll", onScroll, { passive: true });
  signal?.addEventListener("abort", () => window.removeEventListener("scroll", onScroll), { once: true });

  function onPosts(posts, { initial }) {
    if (initial) {
      insert(posts, { animate: false });
      empty.hidden = list.children.length > 0;
      return;
    }
    if (!posts.length) return;
    announce(posts.length, posts[posts.length - 1]);
    if (atTop()) {
      insert(posts, { animate: true });
    } else {
      waiting.push(...posts);
      paintPill();
    }
  }

  function onRemoved(ids) {
    for (const id of ids) {
      list.querySelector(`[data-post-id="${id}"]`)?.remove();
      const i = waiting.findIndex((p) => p.id === id);
      if (i >= 0) waiting.splice(i, 1);
    }
    paintPill();
    empty.hidden = list.children.length > 0;
  }

  function onStatus(status) {
    statusDot.dataset.status = status;
    statusDot.textContent = status === "live" ? "Live" : status === "offline" ? "Reconnecting…" : "Connecting…";
  }

  const ready = follow(room, { slug, sessionId, onPosts, onRemoved, onStatus }, signal).catch((error) => {
    if (error && error.name === "AbortError") return;
    onStatus("offline");
    empty.hidden = false;
    empty.textContent = error instanceof ApiError ? error.message : "The wall is not available right now.";
  });

  /** Show my own post at once (pending ones are never broadcast, so only I see them). */
  function addOwn(post) {
    if (!post || list.querySelector(`[data-post-id="${post.id}"]`)) return;
    if (post.status === "visible") return; // it arrives through the room
    insert([post], { animate: true });
  }

  return { element, ready, addOwn };
}

export function dayAndTime(iso) {
  return `${dayLabel(localDate(iso))}, ${clock(iso)}`;
}
