// The conference's live wall, with a composer on top and the projector link for organisers.

import { el } from "../dom.js";
import { composer } from "../composer.js";
import { liveWall } from "../wall.js";
import { onOutboxChange } from "../outbox.js";

export async function render({ view, app, params, signal, setTitle }) {
  if (params.slug) await app.useConference(params.slug, signal);
  const conference = app.conference;
  setTitle("Live wall");
  const tag = conference.hashtag ? `#${conference.hashtag}` : conference.title;
  view.append(el("div", { class: "page-head" },
    el("h1", {}, "Live wall"),
    el("p", { class: "page-head__sub" }, `Everything posted with Backchannel at ${tag}, as it happens.`)));
  const links = el("p", { class: "btn-row" },
    el("a", { class: "btn btn--secondary btn--small", href: `/wall/${encodeURIComponent(conference.slug)}/projector` }, "Projector mode"),
    el("a", { class: "btn btn--secondary btn--small", href: "/tweetups" }, "Tweetups"),
    el("a", { class: "btn btn--secondary btn--small", href: "/chats" }, "Tweetchats"),
    el("a", { class: "btn btn--secondary btn--small", href: "/analytics" }, "Analytics"));
  if (app.user && (app.user.role === "organizer" || app.user.role === "moderator")) {
    links.append(el("a", { class: "btn btn--secondary btn--small", href: `/moderation/${encodeURIComponent(conference.slug)}` }, "Moderation queue"));
  }
  view.append(links);
  const details = el("details", { class: "wall-compose", open: Boolean(app.user) },
    el("summary", {}, "Write a post"),
    composer({ app, signal, heading: "Post to the wall" }));
  view.append(details);
  const wall = liveWall({ app, slug: conference.slug, signal, title: "Latest posts" });
  view.append(wall.element);
  const stop = onOutboxChange((message) => {
    if (message.type === "sent" && message.post && !message.post.session_id) wall.addOwn(message.post);
  });
  signal.addEventListener("abort", stop, { once: true });
  await wall.ready;
}
