// The programme: day tabs, track and room filters, search as you type, and a list that loads
// its next page by itself as the reader nears the end (a real "Load more sessions" button
// stays for keyboard and screen-reader users, and for browsers without IntersectionObserver).

import { api, isAbort } from "../api.js";
import { debounce, el, uid } from "../dom.js";
import { errorNotice, sessionCard } from "../components.js";
import { clock, dayLabel, localDate, todayIn, zoneLabel } from "../time.js";

const PAGE_SIZE = 40;
// The next page is asked for while the reader is still this far above the end of the list
// (about two phone screens), so scrolling on rarely meets the end.
const PREFETCH_MARGIN = "0px 0px 1600px 0px";
const ALL = "all";

function defaultDay(conference) {
  const days = conference.days || [];
  const today = todayIn(conference.timezone);
  return days.includes(today) ? today : days[0] || ALL;
}

function select(label, name, options, value) {
  const id = uid(name);
  const control = el("select", { id, name },
    el("option", { value: "" }, `All ${label.toLowerCase()}s`),
    options.map((o) => el("option", { value: String(o.id), selected: String(o.id) === value }, o.name)));
  return { field: el("div", { class: "field" }, el("label", { for: id }, label), control), control };
}

/**
 * Render the programme into `view`. `embedded` (the home page when nothing is on) uses an h2
 * and leaves the address bar alone.
 */
export async function render({ view, app, query, signal, setTitle, embedded = false }) {
  const conference = app.conference;
  const slug = conference.slug;
  const days = conference.days || [];
  const state = {
    day: query.get("day") || defaultDay(conference),
    track: query.get("track") || "",
    room: query.get("room") || "",
    q: query.get("q") || "",
  };
  if (state.day !== ALL && !days.includes(state.day)) state.day = defaultDay(conference);
  if (!embedded) setTitle("Programme");

  const heading = el(embedded ? "h2" : "h1", {}, "Programme");
  const zoneNote = el("p", { class: "page-head__sub" }, `Times in ${conference.timezone || "UTC"}`);
  view.append(el("div", { class: "page-head" }, heading, zoneNote));
  if (!app.user) {
    view.append(el("p", { class: "muted" },
      el("a", { href: "/login?next=/programme" }, "Sign in"), " to star sessions into My agenda."));
  } else if (!embedded) {
    view.append(el("p", { class: "muted programme-links" },
      "Clashes with your starred sessions are flagged. ",
      el("a", { href: "/agenda#subscribe" }, "Subscribe to your agenda"), " in your calendar app."));
  }
  // Starred sessions (signed in): cards that overlap one of them are flagged as clashes.
  let starred = [];
  const starredReady = app.user
    ? api("/me/agenda", { params: { conference: slug }, signal })
      .then((body) => { starred = body.items.map((i) => ({ id: i.id, start: Date.parse(i.start), end: Date.parse(i.end) })); })
      .catch((error) => { if (!isAbort(error)) console.warn("agenda unavailable", error); })
    : Promise.resolve();
  const clashes = (item) => {
    const start = Date.parse(item.start);
    const end = Date.parse(item.end);
    return starred.some((s) => s.id !== item.id && s.start < end && start < s.end);
  };
  const onStar = async () => {
    try {
      const body = await api("/me/agenda", { params: { conference: slug }, signal });
      starred = body.items.map((i) => ({ id: i.id, start: Date.parse(i.start), end: Date.parse(i.end) }));
      for (const card of list.querySelectorAll(".card")) {
        const item = itemsById.get(Number(card.dataset.sessionId));
        if (!item) continue;
        const clash = clashes(item);
        card.classList.toggle("card--overlap", clash);
        const badge = card.querySelector(".badge--overlap");
        if (clash && !badge) card.querySelector(".card__body").append(el("span", { class: "badge badge--overlap" }, "⚠ Time clash"));
        if (!clash && badge) badge.remove();
      }
    } catch (error) {
      if (!isAbort(error)) console.warn("agenda refresh failed", error);
    }
  };
  const itemsById = new Map();

  // Day tabs: a group of toggle buttons.
  const dayTabs = el("div", { class: "day-tabs", role: "group", "aria-label": "Day" });
  // Within one month "Mon 14" is enough; the full date is in the tooltip.
  const oneMonth = new Set(days.map((d) => d.slice(0, 7))).size <= 1;
  const dayOptions = [
    ...days.map((d) => ({ value: d, label: dayLabel(d, { tab: oneMonth }), full: dayLabel(d, { long: true }) })),
    { value: ALL, label: "All days" },
  ];
  for (const option of dayOptions) {
    const button = el("button", {
      type: "button",
      class: "day-tab",
      "aria-pressed": String(option.value === state.day),
      title: option.full || null,
      dataset: { day: option.value },
    }, option.label);
    button.addEventListener("click", () => {
      state.day = option.value;
      for (const b of dayTabs.querySelectorAll(".day-tab")) b.setAttribute("aria-pressed", String(b === button));
      reload();
    });
    dayTabs.append(button);
  }

  const searchId = uid("search");
  const search = el("input", {
    id: searchId,
    type: "search",
    name: "q",
    value: state.q,
    autocomplete: "off",
    enterkeyhint: "search",
    placeholder: "Title, speaker, topic…",
  });
  const form = el("form", { class: "filters", role: "search" },
    el("div", { class: "field field--search" }, el("label", { for: searchId }, "Search sessions"), search));
  view.append(dayTabs, form);

  const count = el("p", { class: "result-count" });
  // What changed, for screen readers: the count after a new listing, "40 more sessions
  // loaded" after a further page (the visible count alone would not say what was added).
  const status = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const list = el("div", { class: "programme-list" });
  const more = el("button", { type: "button", class: "btn btn--secondary btn--block load-more", hidden: true },
    "Load more sessions");
  view.append(count, status, list, more);

  // Filters need the tracks and rooms; the list does not wait for them.
  Promise.all([
    api(`/conferences/${encodeURIComponent(slug)}/tracks`, { signal }),
    api(`/conferences/${encodeURIComponent(slug)}/rooms`, { signal }),
  ]).then(([tracks, rooms]) => {
    if (tracks.items.length > 1 || state.track) {
      const { field, control } = select("Track", "track", tracks.items, state.track);
      control.addEventListener("change", () => { state.track = control.value; reload(); });
      form.append(field);
    }
    if (rooms.items.length > 1 || state.room) {
      const { field, control } = select("Room", "room", rooms.items, state.room);
      control.addEventListener("change", () => { state.room = control.value; reload(); });
      form.append(field);
    }
  }).catch((error) => { if (!isAbort(error)) console.warn("filters unavailable", error); });

  let listController = null;
  let loading = false;
  let cursor = null;
  let shown = 0;
  // After a further page failed (offline, say), wait for a tap on the button: no retry loop.
  let autoPaused = false;
  let appendError = null;
  let lastDay = null;
  let lastSlot = null;
  let lastUl = null;
  let example = null;

  function syncAddress() {
    if (embedded) return;
    const params = new URLSearchParams();
    if (state.day) params.set("day", state.day);
    if (state.track) params.set("track", state.track);
    if (state.room) params.set("room", state.room);
    if (state.q) params.set("q", state.q);
    const text = params.toString();
    history.replaceState(null, "", `/programme${text ? `?${text}` : ""}`);
  }

  /**
   * Add a page of sessions. Everything new is built off the page and goes in with one append
   * per parent, so the browser lays out once: more cards for the time slot the last page
   * ended in go into that slot; the new slots (and day headings) go into a new chunk. A chunk
   * off screen is not laid out or painted (content-visibility in app.css), so a long list
   * costs little per frame however far it grows. Returns the first new card.
   */
  function appendItems(items) {
    const openUl = lastUl; // the last time slot already on the page, or null
    const tail = document.createDocumentFragment(); // more cards for that slot
    const fresh = el("div", { class: "programme-chunk" }); // new slots (and day headings)
    let first = null;
    let inChunk = 0;
    for (const item of items) {
      if (item.status === "cancelled") continue; // cancelled sessions stay out of the programme
      if (!example) {
        example = item.start;
        zoneNote.textContent = `Times in ${zoneLabel(conference.timezone, example)}`;
      }
      const day = localDate(item.start);
      if (state.day === ALL && day !== lastDay) {
        fresh.append(el(embedded ? "h3" : "h2", { class: "day-head" }, dayLabel(day, { long: true })));
        lastDay = day;
        lastSlot = null;
      }
      const slot = `${day} ${clock(item.start)}`;
      if (slot !== lastSlot) {
        // Headings stay in order for screen readers: page h1 > (day) > time slot > card h3.
        const level = (embedded ? 3 : 2) + (state.day === ALL ? 1 : 0);
        fresh.append(el(`h${Math.min(level, 4)}`, { class: "slot-head" },
          el("time", { datetime: item.start }, clock(item.start))));
        lastUl = el("ul", { class: "session-list" });
        fresh.append(lastUl);
        lastSlot = slot;
      }
      itemsById.set(item.id, item);
      const card = sessionCard(item, app, { overlap: clashes(item), onStar, calendar: true });
      if (lastUl === openUl) {
        tail.append(card);
      } else {
        lastUl.append(card);
        inChunk += 1;
      }
      first = first || card;
      shown += 1;
    }
    if (openUl && tail.firstChild) openUl.append(tail);
    if (fresh.firstChild) {
      // The height to assume until the chunk is first drawn (then the real one is kept).
      fresh.style.setProperty("--chunk-cards", String(inChunk));
      list.append(fresh);
    }
    return first;
  }

  function describe() {
    const where = state.day === ALL ? "" : ` on ${dayLabel(state.day)}`;
    if (shown === 0) {
      count.textContent = state.q
        ? `No sessions match “${state.q}”${where}.`
        : `No sessions${where} with these filters.`;
      return;
    }
    const noun = shown === 1 ? "session" : "sessions";
    const plus = cursor ? "+" : "";
    count.textContent = state.q
      ? `${shown}${plus} ${noun} match “${state.q}”${where}`
      : `${shown}${plus} ${noun}${where}`;
  }

  /**
   * Ask for the first page (append false: a new listing replaces the list) or the next one.
   * `byButton`: the person pressed "Load more sessions"; focus then moves to the first new
   * session, so it is not left on a button that may disappear.
   */
  async function load(append, { byButton = false } = {}) {
    loading = true;
    await starredReady;
    if (listController) listController.abort();
    listController = new AbortController();
    const mine = listController;
    const onPageAbort = () => mine.abort();
    signal.addEventListener("abort", onPageAbort, { once: true });
    list.setAttribute("aria-busy", "true");
    // aria-disabled, not disabled: a disabled button would lose keyboard focus.
    more.setAttribute("aria-disabled", "true");
    if (appendError) {
      appendError.remove();
      appendError = null;
    }
    try {
      const page = await api(`/conferences/${encodeURIComponent(slug)}/sessions`, {
        params: {
          day: state.day === ALL ? null : state.day,
          track: state.track,
          room: state.room,
          q: state.q.trim(),
          limit: PAGE_SIZE,
          cursor: append ? cursor : null,
        },
        signal: mine.signal,
      });
      if (!append) {
        list.replaceChildren();
        shown = 0;
        lastDay = null;
        lastSlot = null;
        lastUl = null;
      }
      cursor = page.next;
      const before = shown;
      const firstNew = appendItems(page.items);
      describe();
      more.hidden = !cursor;
      if (append) {
        const added = shown - before;
        status.textContent = `${added} more ${added === 1 ? "session" : "sessions"} loaded, ${shown} shown${cursor ? "" : ", the end of the list"}.`;
      } else {
        status.textContent = count.textContent;
      }
      if (byButton) {
        const cards = list.getElementsByClassName("card");
        const target = firstNew || (more.hidden ? cards[cards.length - 1] : null);
        target?.querySelector(".card__link")?.focus();
      }
      autoPaused = false;
    } catch (error) {
      if (isAbort(error)) return;
      if (!append) {
        list.replaceChildren();
        cursor = null;
        more.hidden = true;
      }
      const notice = errorNotice(error, "the sessions");
      list.append(notice);
      if (append) {
        appendError = notice;
        autoPaused = true;
      }
    } finally {
      signal.removeEventListener("abort", onPageAbort);
      if (mine === listController) {
        loading = false;
        list.removeAttribute("aria-busy");
        more.removeAttribute("aria-disabled");
        watchEnd();
      }
    }
  }

  // Automatic loading: the button is the sentinel. When it comes within PREFETCH_MARGIN of
  // the screen, the next page is fetched. Observing it afresh after every page makes the
  // observer report where it is now: still near (a short page) -> the next one at once.
  const nearEnd = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      if (signal.aborted || loading || autoPaused || !cursor) return;
      if (entries.some((e) => e.isIntersecting)) load(true);
    }, { rootMargin: PREFETCH_MARGIN })
    : null;
  function watchEnd() {
    if (!nearEnd || signal.aborted) return;
    nearEnd.unobserve(more);
    if (cursor && !autoPaused) nearEnd.observe(more);
  }
  signal.addEventListener("abort", () => nearEnd?.disconnect(), { once: true });

  function reload() {
    syncAddress();
    return load(false);
  }

  const typed = debounce(() => {
    if (search.value === state.q) return;
    state.q = search.value;
    reload();
  }, 250);
  search.addEventListener("input", typed);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    typed.cancel();
    state.q = search.value;
    reload();
  });
  signal.addEventListener("abort", () => typed.cancel(), { once: true });
  more.addEventListener("click", () => {
    if (loading) return; // that page is on its way
    autoPaused = false;
    load(true, { byButton: true });
  });

  await load(false);
}
