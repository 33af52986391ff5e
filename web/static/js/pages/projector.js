// Projector mode for the venue: large type, one post at a time advancing on its own, only
// posts the public wall shows (with pre-approval on, only approved ones), what is on now, and
// a QR code to join. Keys: ← → to move, space to pause, Esc to leave.

import { api, isAbort } from "../api.js";
import { el } from "../dom.js";
import { postItem } from "../wall.js";
import { follow } from "../live.js";
import { qrSvg } from "../qr.js";
import { timeRange } from "../time.js";

const ADVANCE_MS = 8000;
const KEEP = 30;

export async function render({ view, app, params, signal, setTitle }) {
  await app.useConference(params.slug, signal);
  const conference = app.conference;
  setTitle("Projector");
  const joinUrl = `${location.origin}/wall/${encodeURIComponent(conference.slug)}`;
  const stage = el("div", { class: "projector__stage", "aria-live": "polite", "aria-atomic": "true" });
  const position = el("p", { class: "projector__position" });
  const nowList = el("ul", { class: "projector__now" });
  const qrBox = el("div", { class: "projector__qr" });
  const status = el("p", { class: "projector__status" }, "Connecting…");
  const root = el("div", { class: "projector" },
    el("header", { class: "projector__head" },
      el("h1", { class: "projector__title" }, conference.hashtag ? `#${conference.hashtag}` : conference.title),
      el("p", { class: "projector__sub" }, conference.title),
      el("a", { class: "projector__exit", href: `/wall/${encodeURIComponent(conference.slug)}` }, "Exit projector")),
    el("main", { class: "projector__main" }, stage, position),
    el("aside", { class: "projector__side" },
      el("h2", {}, "On now"), nowList,
      el("h2", {}, "Join the conversation"), qrBox,
      el("p", { class: "projector__url" }, joinUrl.replace(/^https?:\/\//, "")),
      status));
  view.append(root);

  qrSvg(joinUrl, { label: `QR code: ${joinUrl}` }).then((svg) => qrBox.append(svg)).catch(() => {});

  async function paintNow() {
    try {
      const data = await api(`/conferences/${encodeURIComponent(conference.slug)}/now-next`, { signal });
      const items = data.now.length ? data.now : data.next;
      nowList.replaceChildren(...items.slice(0, 4).map((s) => el("li", {},
        el("span", { class: "projector__time" }, timeRange(s.start, s.end)), " ",
        el("span", {}, s.title), s.room ? el("span", { class: "projector__room" }, ` · ${s.room.name}`) : null)));
      if (!items.length) nowList.replaceChildren(el("li", { class: "muted" }, "No session right now"));
    } catch (error) {
      if (!isAbort(error)) nowList.replaceChildren();
    }
  }
  paintNow();
  const nowTimer = setInterval(paintNow, 60_000);

  let posts = []; // newest last
  let index = -1;
  let paused = false;
  let fresh = []; // new posts shown before resuming the rotation

  function show(post) {
    stage.replaceChildren(postItem(post, { large: true }));
    position.textContent = paused ? "Paused" : "";
  }

  function empty() {
    stage.replaceChildren(el("p", { class: "projector__empty" }, `Post with Backchannel to see it here. ${joinUrl.replace(/^https?:\/\//, "")}`));
  }

  function advance(step = 1) {
    if (fresh.length) {
      const next = fresh.shift();
      index = posts.findIndex((p) => p.id === next.id);
      show(next);
      return;
    }
    if (!posts.length) {
      empty();
      return;
    }
    index = (index + step + posts.length) % posts.length;
    show(posts[index]);
  }

  const timer = setInterval(() => { if (!paused) advance(1); }, ADVANCE_MS);
  const onKey = (event) => {
    if (event.key === "ArrowRight") advance(1);
    else if (event.key === "ArrowLeft") advance(-1);
    else if (event.key === " ") {
      paused = !paused;
      position.textContent = paused ? "Paused" : "";
      event.preventDefault();
    } else if (event.key === "Escape") app.navigate(`/wall/${encodeURIComponent(conference.slug)}`);
  };
  document.addEventListener("keydown", onKey);
  signal.addEventListener("abort", () => {
    clearInterval(timer);
    clearInterval(nowTimer);
    document.removeEventListener("keydown", onKey);
  }, { once: true });

  await follow(`conference:${conference.slug}`, {
    slug: conference.slug,
    onPosts(items, { initial }) {
      posts = posts.concat(items).slice(-KEEP);
      if (initial) {
        index = posts.length - 1;
        if (posts.length) show(posts[index]);
        else empty();
        return;
      }
      fresh.push(...items);
      if (fresh.length > 5) fresh = fresh.slice(-5);
      advance(0);
    },
    onRemoved(ids) {
      posts = posts.filter((p) => !ids.includes(p.id));
      fresh = fresh.filter((p) => !ids.includes(p.id));
      const shown = stage.querySelector("[data-post-id]");
      if (shown && ids.includes(Number(shown.dataset.postId))) advance(0);
    },
    onStatus(s) {
      status.textContent = s === "live" ? "● Live" : "Reconnecting…";
      status.dataset.status = s;
    },
  }, signal);
}
