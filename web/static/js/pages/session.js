// One session: when and where, policy, speakers with their handles, links, calendar, star.

import { api, ApiError } from "../api.js";
import { el, safeLink } from "../dom.js";
import {
  NETWORK_ORDER, applyTrackColor, handleLink, policyBadges, starButton,
} from "../components.js";
import { dayLabel, localDate, timeRange, zoneLabel } from "../time.js";
import { composer } from "../composer.js";
import { liveWall } from "../wall.js";
import { loadDraft } from "./drafts.js";
import { onOutboxChange } from "../outbox.js";

function fact(term, ...value) {
  return [el("dt", {}, term), el("dd", {}, ...value)];
}

function speakerBlock(speaker) {
  const handles = el("ul", { class: "handle-list" });
  const known = speaker.handles || {};
  const networks = [...NETWORK_ORDER, ...Object.keys(known).filter((n) => !NETWORK_ORDER.includes(n))];
  for (const network of networks) {
    if (!known[network]) continue;
    const h = handleLink(network, known[network]);
    handles.append(el("li", { dataset: { network } },
      el("span", { class: "handle__network" }, h.network),
      h.url ? safeLink(h.url, h.label) : h.label));
  }
  return el("li", { class: "speaker" },
    el("p", { class: "speaker__name" }, speaker.name),
    handles.childElementCount ? handles : el("p", { class: "muted" }, "No social handles listed."));
}

export async function render({ view, app, params, query, signal, setTitle }) {
  let talk;
  try {
    talk = await api(`/sessions/${encodeURIComponent(params.id)}`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      setTitle("Session not found");
      view.append(el("h1", {}, "Session not found"),
        el("p", {}, "This session does not exist (any more). ",
          el("a", { href: "/programme" }, "Back to the programme"), "."));
      return;
    }
    throw error;
  }
  setTitle(talk.title);
  const conference = app.conference;
  const zone = zoneLabel(conference && conference.slug === talk.conference ? conference.timezone : null, talk.start);

  view.append(el("p", {}, el("a", { href: "/programme" }, "← Programme")));
  const article = el("article", { class: "detail" });
  applyTrackColor(article, talk.track);
  article.append(el("h1", { class: "detail__title" }, talk.title));
  if (talk.subtitle) article.append(el("p", { class: "detail__subtitle" }, talk.subtitle));

  const badges = policyBadges(talk);
  if (badges.length) article.append(el("div", { class: "card__extra" }, badges));
  if (talk.policy_note) {
    article.append(el("div", { class: "notice notice--warn" }, el("p", {}, talk.policy_note)));
  }

  const facts = el("dl", { class: "detail__facts" },
    fact("When", `${dayLabel(localDate(talk.start))}, ${timeRange(talk.start, talk.end)} (${zone})`),
    talk.room ? fact("Room", talk.room.name) : null,
    talk.track ? fact("Track", el("span", { class: "chip chip--track" }, talk.track.name)) : null,
    talk.type ? fact("Type", talk.type) : null,
    talk.language ? fact("Language", talk.language) : null,
    fact("Tags", el("span", { class: "tags" },
      [talk.hashtag ? `#${talk.hashtag}` : null, talk.tag ? `#${talk.tag}` : null].filter(Boolean).join(" "))),
  );
  article.append(facts);

  const actions = el("div", { class: "btn-row" });
  if (app.user) {
    actions.append(starButton(talk, app, { labelled: true }));
  } else {
    actions.append(el("a", { class: "btn btn--secondary", href: `/login?next=/sessions/${talk.id}` },
      "Sign in to star"));
  }
  actions.append(el("a", {
    class: "btn btn--secondary",
    href: `/api/v1/sessions/${talk.id}/calendar.ics`,
    download: `session-${talk.id}.ics`,
  }, "Add to calendar (.ics)"));
  actions.append(el("a", { class: "btn btn--secondary", href: `/sessions/${talk.id}/live`, id: "follow-live" }, "Follow live"));
  article.append(actions);

  if (talk.abstract) {
    article.append(el("h2", {}, "Abstract"), el("p", { class: "prose" }, talk.abstract));
  }
  if (talk.description && talk.description !== talk.abstract) {
    article.append(el("h2", {}, "Description"), el("p", { class: "prose" }, talk.description));
  }

  if (talk.speakers && talk.speakers.length) {
    article.append(el("h2", {}, talk.speakers.length === 1 ? "Speaker" : "Speakers"),
      el("ul", { class: "speaker-list" }, talk.speakers.map(speakerBlock)));
  }

  const links = [];
  if (talk.url) links.push({ url: talk.url, title: "Session page" });
  for (const link of talk.links || []) links.push(link);
  const linkItems = links.filter((l) => l && l.url).map((l) => el("li", {}, safeLink(l.url, l.title || l.url)));
  if (linkItems.length) article.append(el("h2", {}, "Links"), el("ul", { class: "link-list" }, linkItems));

  view.append(article);

  if (talk.conference !== app.conference.slug) await app.useConference(talk.conference, signal);
  if (talk.policy === "opted_out") {
    view.append(el("div", { class: "notice notice--error", id: "compose" },
      el("p", {}, "The speaker asked not to be posted about, so there is no composer or wall for this session.")));
    return;
  }
  const draft = query.get("draft") ? await loadDraft(query.get("draft")) : null;
  const writer = composer({ app, talk, draft, signal });
  // Followers without an account come for the wall: the composer waits behind a summary.
  view.append(el("div", { id: "compose" }, app.user || draft ? writer
    : el("details", { class: "wall-compose" }, el("summary", {}, "Write about this session"), writer)));
  const wall = liveWall({ app, slug: talk.conference, sessionId: talk.id, signal, title: "This session's wall" });
  view.append(wall.element);
  const stop = onOutboxChange((message) => {
    if (message.type === "sent" && message.post && message.post.session_id === talk.id) wall.addOwn(message.post);
  });
  signal.addEventListener("abort", stop, { once: true });
}
