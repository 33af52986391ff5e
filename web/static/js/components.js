// Pieces shared by the pages: session cards, policy badges, star buttons, handles.

import { el, isHttpUrl, toast } from "./dom.js";
import { dateTimeLabel, dayLabel, localDate, timeRange } from "./time.js";
import { ApiError } from "./api.js";

const COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** Track colours come from schedule files: applied through CSSOM only, and only if well formed. */
export function applyTrackColor(node, track) {
  if (track && typeof track.color === "string" && COLOR.test(track.color)) {
    node.style.setProperty("--track-color", track.color);
  }
}

/** Badges for a session's social-media policy (and a cancelled status). */
export function policyBadges(item) {
  const badges = [];
  if (item.status === "cancelled") badges.push(el("span", { class: "badge badge--opted_out" }, "Cancelled"));
  if (item.policy === "opted_out") {
    badges.push(el("span", { class: "badge badge--opted_out" }, "Speaker opted out"));
  } else if (item.policy === "no_photos") {
    badges.push(el("span", { class: "badge badge--no_photos" }, "No photos"));
  } else if (item.policy === "embargoed") {
    const until = item.embargo_until ? ` until ${dateTimeLabel(item.embargo_until)}` : "";
    badges.push(el("span", { class: "badge badge--embargoed" }, `Embargoed${until}`));
  }
  return badges;
}

export function speakerNames(item) {
  return (item.speakers || []).map((s) => s.name).filter(Boolean).join(", ");
}

/**
 * The star toggle. Optimistic: it flips at once and flips back (with a message) if the
 * server refuses. `onChange(starred)` runs after the server agreed.
 */
export function starButton(item, app, { labelled = false, onChange } = {}) {
  const icon = el("span", { class: "star__icon", "aria-hidden": "true" });
  const button = el("button", {
    type: "button",
    class: labelled ? "star star--labelled" : "star",
    "aria-pressed": String(Boolean(item.starred)),
    "aria-label": labelled ? null : `Star “${item.title}”`,
    title: "Star: add to My agenda",
    dataset: { sessionId: String(item.id) },
  }, icon, labelled ? "Star" : null);
  const paint = () => {
    icon.textContent = button.getAttribute("aria-pressed") === "true" ? "★" : "☆";
  };
  paint();
  button.addEventListener("click", async () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    button.disabled = true;
    paint();
    try {
      await app.star(item.id, on);
      item.starred = on;
      toast(on ? "Added to My agenda" : "Removed from My agenda");
      if (onChange) onChange(on);
    } catch (error) {
      button.setAttribute("aria-pressed", String(!on));
      paint();
      toast(error instanceof ApiError ? error.message : "Could not change your agenda.");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/**
 * One session as a card: time, room, title (the link to its page), speakers, track, badges,
 * and a star when signed in.
 */
export function sessionCard(item, app, { showDay = false, showRoom = true, overlap = false, onStar, calendar = false } = {}) {
  const meta = el("p", { class: "card__meta" },
    el("span", { class: "card__time" },
      showDay ? `${dayLabel(localDate(item.start))} · ` : "", timeRange(item.start, item.end)),
    item.room && showRoom ? el("span", { class: "card__room" }, item.room.name) : null,
  );
  const extra = el("div", { class: "card__extra" });
  if (item.track) {
    const chip = el("span", { class: "chip chip--track" }, item.track.name);
    extra.append(chip);
  }
  if (item.type && item.type !== "talk") extra.append(el("span", { class: "chip" }, item.type));
  extra.append(...policyBadges(item));
  if (overlap) extra.append(el("span", { class: "badge badge--overlap" }, "⚠ Time clash"));
  const speakers = speakerNames(item);
  const body = el("div", { class: "card__body" },
    meta,
    el("h3", { class: "card__title" }, el("a", { href: `/sessions/${item.id}`, class: "card__link" }, item.title)),
    item.subtitle ? el("p", { class: "card__subtitle" }, item.subtitle) : null,
    speakers ? el("p", { class: "card__speakers" }, speakers) : null,
    extra.childElementCount ? extra : null,
  );
  const card = el("li", {
    class: overlap ? "card card--overlap" : "card",
    dataset: { sessionId: String(item.id) },
  }, body);
  applyTrackColor(card, item.track);
  const side = el("div", { class: "card__side" });
  if (app.user) side.append(starButton(item, app, { onChange: onStar }));
  if (calendar) {
    side.append(el("a", {
      class: "card__cal",
      href: `/api/v1/sessions/${item.id}/calendar.ics`,
      download: `session-${item.id}.ics`,
      "aria-label": `Add “${item.title}” to your calendar`,
      title: "Add to calendar (.ics)",
    }, calendarIcon()));
  }
  if (side.childElementCount) card.append(side);
  return card;
}

/** A small calendar glyph as SVG (emoji fonts are not everywhere). */
export function calendarIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M7 2v3M17 2v3M3.5 8.5h17M5 4.5h14a1.5 1.5 0 0 1 1.5 1.5v13a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 19V6A1.5 1.5 0 0 1 5 4.5zM12 11.5v6M9 14.5h6");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "1.8");
  path.setAttribute("stroke-linecap", "round");
  svg.append(path);
  return svg;
}

const NETWORK_NAMES = {
  x: "X",
  bluesky: "Bluesky",
  mastodon: "Mastodon",
  threads: "Threads",
  linkedin: "LinkedIn",
};
export const NETWORK_ORDER = ["x", "bluesky", "mastodon", "threads", "linkedin"];
export const NETWORK_LABELS = NETWORK_NAMES;

/** `{label, url}` for a canonical handle (see server/domain/handles.py); url null if odd. */
export function handleLink(network, handle) {
  const value = String(handle || "").trim();
  let label = value;
  let url = null;
  if (network === "x" && /^[A-Za-z0-9_]{1,15}$/.test(value)) {
    label = `@${value}`;
    url = `https://x.com/${value}`;
  } else if (network === "bluesky" && /^[a-z0-9.-]+$/i.test(value)) {
    label = `@${value}`;
    url = `https://bsky.app/profile/${value}`;
  } else if (network === "mastodon") {
    const m = /^@?([A-Za-z0-9_][A-Za-z0-9_.-]*)@([a-z0-9.-]+\.[a-z]{2,})$/i.exec(value);
    if (m) {
      label = `@${m[1]}@${m[2]}`;
      url = `https://${m[2].toLowerCase()}/@${m[1]}`;
    }
  } else if (network === "threads" && /^[a-z0-9._]{1,30}$/i.test(value)) {
    label = `@${value}`;
    url = `https://www.threads.net/@${value}`;
  } else if (network === "linkedin") {
    const m = /^(in|company|school)\/([\w\-%.]{2,100})$/.exec(value);
    if (m) {
      label = `linkedin.com/${m[1]}/${m[2]}`;
      url = `https://www.linkedin.com/${m[1]}/${encodeURIComponent(decodeSafe(m[2]))}`;
    }
  }
  return { network: NETWORK_NAMES[network] || network, label, url: url && isHttpUrl(url) ? url : null };
}

function decodeSafe(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A short error notice for a failed load. */
export function errorNotice(error, what = "this page") {
  const message = error instanceof ApiError ? error.message : `Something went wrong loading ${what}.`;
  return el("div", { class: "notice notice--error", role: "alert" }, el("p", {}, message));
}

/** A tweetup in a list: when, where, how many are going, and my RSVP. `heading` is the
 * title's level in the page outline (h2 on the tweetups page, h3 under "Your tweetups"). */
export function tweetupCard(t, { heading = "h2" } = {}) {
  const badges = [];
  if (t.featured) badges.push(el("span", { class: "badge badge--now" }, "Featured"));
  if (t.cancelled) badges.push(el("span", { class: "badge badge--opted_out" }, "Cancelled"));
  if (t.hidden) badges.push(el("span", { class: "badge badge--embargoed" }, "Hidden"));
  const mine = { going: "You're going", maybe: "Maybe", waitlisted: "On the waitlist" }[t.my_rsvp];
  if (mine) badges.push(el("span", { class: "chip" }, mine));
  const spots = t.capacity == null ? `${t.counts.going} going` : `${t.counts.going}/${t.capacity} going`;
  return el("li", { class: "card tweetup-card", dataset: { tweetupId: String(t.id) } },
    el("div", { class: "card__body" },
      el("p", { class: "card__meta" },
        el("span", { class: "card__time" }, `${dayLabel(localDate(t.start))}, ${timeRange(t.start, t.end)}`)),
      el(heading, { class: "card__title" }, el("a", { href: `/tweetups/${t.id}` }, t.title)),
      el("p", { class: "card__subtitle" }, t.place),
      el("p", { class: "card__speakers" }, [spots, t.hashtag ? ` · #${t.hashtag}` : ""].join("")),
      badges.length ? el("div", { class: "card__extra" }, badges) : null));
}

/** The post limit of the person's Mastodon instance, as stored with their profile (500 unset). */
export function mastodonLimit(user) {
  const limit = user && user.mastodon_limit;
  return Number.isInteger(limit) && limit > 0 ? limit : 500;
}
