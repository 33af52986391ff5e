// Tweetups: the conference's list, proposing one (with times that fit the programme's gaps),
// and one tweetup's page: when and where, RSVP (going / maybe / not going, the waitlist at
// capacity), who is coming by their handles, and its own live room.

import { api, ApiError } from "../api.js";
import { el, toast } from "../dom.js";
import { errorNotice, handleLink, tweetupCard } from "../components.js";
import { dayLabel, localDate, timeRange, withOffset } from "../time.js";
import { postItem } from "../wall.js";
import { followRoom, roomComposer, useConnectingStyles } from "../room.js";

const CHOICES = [["going", "Going"], ["maybe", "Maybe"], ["not_going", "Not going"]];

function when(t) {
  return `${dayLabel(localDate(t.start))}, ${timeRange(t.start, t.end)}`;
}

function personLabel(person) {
  const handles = person.handles || {};
  const network = ["x", "bluesky", "mastodon", "threads", "linkedin"].find((n) => handles[n]);
  const handle = network ? handleLink(network, handles[network]).label : `@${person.username}`;
  return el("li", { class: "person" }, el("span", { class: "person__name" }, person.display_name), " ",
    el("span", { class: "person__handle" }, handle));
}

async function renderList({ view, app, signal, setTitle }) {
  setTitle("Tweetups");
  const conference = app.conference;
  view.append(el("div", { class: "page-head" },
    el("h1", {}, "Tweetups"),
    el("p", { class: "page-head__sub" }, "Meet the people you follow: in the breaks, at lunch, in the evening.")));
  view.append(el("p", { class: "btn-row" },
    el("a", { class: "btn", href: "/tweetups/new", id: "propose-link" }, "Propose a tweetup"),
    el("a", { class: "btn btn--secondary", href: "/chats" }, "Tweetchats")));
  const body = await api(`/conferences/${encodeURIComponent(conference.slug)}/tweetups`, { signal });
  if (!body.items.length) {
    view.append(el("p", { class: "muted" }, "No tweetups yet. Propose the first one."));
    return;
  }
  const featured = body.items.filter((t) => t.featured);
  const others = body.items.filter((t) => !t.featured);
  if (featured.length) view.append(el("h2", {}, "Featured"), el("ul", { class: "session-list" }, featured.map((t) => tweetupCard(t))));
  if (others.length) view.append(el("h2", {}, featured.length ? "More tweetups" : "All tweetups"), el("ul", { class: "session-list", id: "tweetup-list" }, others.map((t) => tweetupCard(t))));
}

function localInput(iso) {
  return iso ? iso.slice(0, 16) : "";
}

/** The wall-clock time `minutes` after a "YYYY-MM-DDTHH:MM" value. */
function plusMinutes(value, minutes) {
  return new Date(Date.parse(`${value}:00Z`) + minutes * 60000).toISOString().slice(0, 16);
}

async function renderNew({ view, app, signal, setTitle }) {
  setTitle("Propose a tweetup");
  const conference = app.conference;
  view.append(el("p", {}, el("a", { href: "/tweetups" }, "← Tweetups")), el("h1", {}, "Propose a tweetup"));
  if (!app.user) {
    view.append(el("div", { class: "notice" }, el("p", {}, "Sign in to propose a tweetup. ",
      el("a", { href: "/login?next=/tweetups/new" }, "Sign in"))));
    return;
  }
  const field = (name, label, input, hint) => el("div", { class: "field" },
    el("label", { for: `tw-${name}` }, label), input, hint ? el("p", { class: "field__hint" }, hint) : null,
    el("p", { class: "field__error", id: `tw-${name}-error` }));
  const inputs = {
    title: el("input", { id: "tw-title", type: "text", name: "title", required: true, maxlength: 200 }),
    description: el("textarea", { id: "tw-description", name: "description", rows: 3 }),
    place: el("input", { id: "tw-place", type: "text", name: "place", required: true, maxlength: 300, placeholder: "Where in the venue, or nearby" }),
    start: el("input", { id: "tw-start", name: "start", type: "datetime-local", required: true }),
    end: el("input", { id: "tw-end", name: "end", type: "datetime-local", required: true }),
    hashtag: el("input", { id: "tw-hashtag", type: "text", name: "hashtag", maxlength: 64, placeholder: `#${conference.hashtag || ""}tweetup` }),
    capacity: el("input", { id: "tw-capacity", name: "capacity", type: "number", min: 1, max: 100000, inputmode: "numeric" }),
  };
  const suggestions = el("div", { class: "suggested-times", id: "suggested-times" }, el("p", { class: "muted" }, "Looking for gaps in the programme…"));
  const form = el("form", { class: "form-card", id: "tweetup-form", novalidate: true },
    field("title", "Title", inputs.title),
    field("description", "What is it about?", inputs.description),
    field("place", "Place", inputs.place),
    el("h2", {}, "When"),
    el("p", { class: "field__hint" }, "Times that do not clash with sessions:"),
    suggestions,
    field("start", "Starts", inputs.start, `In the conference's time zone (${conference.timezone}).`),
    field("end", "Ends", inputs.end),
    field("hashtag", "Hashtag (optional)", inputs.hashtag),
    field("capacity", "How many people fit? (optional)", inputs.capacity, "Past this, people join a waitlist."),
    el("button", { type: "submit", class: "btn btn--block", id: "propose" }, "Propose"));
  view.append(form);
  try {
    const gaps = await api(`/conferences/${encodeURIComponent(conference.slug)}/tweetups/suggested-times`, { signal });
    const today = new Date().toISOString().slice(0, 10);
    const upcoming = gaps.items.filter((g) => g.day >= today).slice(0, 12);
    suggestions.replaceChildren();
    for (const gap of upcoming.length ? upcoming : gaps.items.slice(0, 12)) {
      const label = `${dayLabel(localDate(gap.start))} ${timeRange(gap.start, gap.end)} (${gap.kind})`;
      const chip = el("button", { type: "button", class: "chip chip--button", dataset: { start: gap.start } }, label);
      chip.addEventListener("click", () => {
        inputs.start.value = localInput(gap.start);
        inputs.end.value = plusMinutes(inputs.start.value, Math.min(60, gap.minutes));
        inputs.title.focus();
      });
      suggestions.append(chip);
    }
    if (!suggestions.childElementCount) suggestions.append(el("p", { class: "muted" }, "No gaps found."));
  } catch {
    suggestions.replaceChildren(el("p", { class: "muted" }, "Suggestions are not available right now."));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const node of form.querySelectorAll(".field__error")) node.textContent = "";
    const zone = conference.timezone;
    const body = {
      title: inputs.title.value, place: inputs.place.value,
      description: inputs.description.value || null,
      start: inputs.start.value ? withOffset(inputs.start.value, zone) : null,
      end: inputs.end.value ? withOffset(inputs.end.value, zone) : null,
      hashtag: inputs.hashtag.value || null,
      capacity: inputs.capacity.value ? Number(inputs.capacity.value) : null,
    };
    const submit = form.querySelector("#propose");
    submit.disabled = true;
    try {
      const made = await api(`/conferences/${encodeURIComponent(conference.slug)}/tweetups`, { method: "POST", body });
      toast("Tweetup proposed");
      app.navigate(`/tweetups/${made.id}`);
    } catch (error) {
      if (error instanceof ApiError && error.field && form.querySelector(`#tw-${error.field}-error`)) {
        form.querySelector(`#tw-${error.field}-error`).textContent = error.message;
        form.querySelector(`#tw-${error.field}`)?.focus();
      } else {
        toast(error.message || "Could not propose the tweetup.");
      }
    } finally {
      submit.disabled = false;
    }
  });
}

async function renderOne({ view, app, params, signal, setTitle }) {
  let t;
  try {
    t = await api(`/tweetups/${encodeURIComponent(params.id)}`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      setTitle("Tweetup not found");
      view.append(el("h1", {}, "Tweetup not found"), el("p", {}, el("a", { href: "/tweetups" }, "All tweetups")));
      return;
    }
    throw error;
  }
  if (t.conference !== app.conference.slug) await app.useConference(t.conference, signal);
  setTitle(t.title);
  view.append(el("p", {}, el("a", { href: "/tweetups" }, "← Tweetups")));
  const article = el("article", { class: "detail tweetup" });
  article.append(el("h1", { class: "detail__title" }, t.title));
  if (t.cancelled) article.append(el("div", { class: "notice notice--error" }, el("p", {}, "This tweetup was cancelled.")));
  const facts = el("dl", { class: "detail__facts" },
    el("dt", {}, "When"), el("dd", {}, when(t)),
    el("dt", {}, "Where"), el("dd", {}, t.place),
    t.hashtag ? [el("dt", {}, "Hashtag"), el("dd", {}, `#${t.hashtag}`)] : null,
    t.proposer ? [el("dt", {}, "Proposed by"), el("dd", {}, t.proposer.display_name)] : null);
  article.append(facts);
  if (t.description) article.append(el("p", { class: "prose" }, t.description));

  const counts = el("p", { class: "rsvp-counts", id: "rsvp-counts", "aria-live": "polite" });
  const paintCounts = (c, capacity) => {
    const going = capacity == null ? `${c.going} going` : `${c.going} of ${capacity} places taken`;
    counts.textContent = [going, c.maybe ? `${c.maybe} maybe` : "", c.waitlisted ? `${c.waitlisted} on the waitlist` : ""].filter(Boolean).join(" · ");
  };
  paintCounts(t.counts, t.capacity);
  article.append(counts);

  const mine = el("p", { class: "rsvp-mine", id: "rsvp-mine" });
  const paintMine = (status) => {
    mine.textContent = status === "waitlisted" ? "You are on the waitlist: you move up when someone drops out."
      : status === "going" ? "You are going." : status === "maybe" ? "You might go." : status === "not_going" ? "You are not going." : "";
  };
  paintMine(t.my_rsvp);
  const buttons = el("div", { class: "btn-row", role: "group", "aria-label": "Your RSVP" });
  if (app.user && !t.cancelled) {
    for (const [value, label] of CHOICES) {
      const b = el("button", { type: "button", class: value === "going" ? "btn" : "btn btn--secondary", dataset: { rsvp: value }, "aria-pressed": String(t.my_rsvp === value || (value === "going" && t.my_rsvp === "waitlisted")) }, label);
      b.addEventListener("click", async () => {
        try {
          const result = await api(`/tweetups/${t.id}/rsvp`, { method: "PUT", body: { status: value } });
          paintMine(result.status);
          paintCounts(result.tweetup.counts, result.tweetup.capacity);
          for (const other of buttons.querySelectorAll("[data-rsvp]")) {
            other.setAttribute("aria-pressed", String(other.dataset.rsvp === result.status || (other.dataset.rsvp === "going" && result.status === "waitlisted")));
          }
          toast(result.status === "waitlisted" ? "Full: you are on the waitlist" : "RSVP saved");
          await paintPeople();
        } catch (error) {
          toast(error.message || "Could not save your RSVP.");
        }
      });
      buttons.append(b);
    }
  } else if (!app.user) {
    buttons.append(el("a", { class: "btn btn--secondary", href: `/login?next=/tweetups/${t.id}` }, "Sign in to RSVP"));
  }
  article.append(buttons, mine);

  const people = el("section", { class: "people", id: "attendees" });
  async function paintPeople() {
    const a = await api(`/tweetups/${t.id}/attendees`, { signal });
    people.replaceChildren(el("h2", {}, "Who is coming"));
    const group = (title, list, ordered = false) => list.length
      ? [el("h3", {}, `${title} (${list.length})`), el(ordered ? "ol" : "ul", { class: "people-list" }, list.map(personLabel))] : [];
    people.append(...group("Going", a.going), ...group("Maybe", a.maybe), ...group("Waitlist", a.waitlist, true));
    if (!a.going.length && !a.maybe.length) people.append(el("p", { class: "muted" }, "Nobody yet."));
  }
  await paintPeople();
  article.append(people);
  view.append(article);

  // The tweetup's own room.
  const list = el("ol", { class: "post-list", id: "room-posts", reversed: true, "aria-label": "Posts in this tweetup's room" });
  const status = el("span", { class: "live-status", dataset: { status: "connecting" } }, "Connecting…");
  const empty = el("p", { class: "muted" }, "Nothing said here yet.");
  const composer = roomComposer({
    app, slug: t.conference, label: "Say something to the group", placeholder: "Running late, save me a seat…",
    prefill: t.hashtag ? ` #${t.hashtag}` : null, extra: () => ({ tweetup_id: t.id }),
  });
  view.append(el("section", { class: "wall" },
    el("div", { class: "wall__head" }, el("h2", {}, "The tweetup's room"), status),
    composer.element, empty, list));
  await followRoom({
    slug: t.conference, room: t.room, filter: { tweetup_id: t.id }, signal,
    onPosts: (posts) => {
      for (const post of posts) list.prepend(postItem(post, { app }));
      empty.hidden = list.children.length > 0;
    },
    onRemoved: (ids) => ids.forEach((id) => list.querySelector(`[data-post-id="${id}"]`)?.remove()),
    onStatus: (s) => { status.dataset.status = s; status.textContent = s === "live" ? "Live" : s === "offline" ? "Reconnecting…" : "Connecting…"; },
    events: { rsvps: (data) => paintCounts(data, t.capacity) },
  });
}

export async function render(ctx) {
  useConnectingStyles();
  try {
    if (ctx.mode === "new") return await renderNew(ctx);
    if (ctx.params.id) return await renderOne(ctx);
    return await renderList(ctx);
  } catch (error) {
    if (error && error.name === "AbortError") return;
    ctx.view.append(errorNotice(error));
  }
}
