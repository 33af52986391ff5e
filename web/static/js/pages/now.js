// Home: what is on now and next, room by room. When nothing is, the programme instead.

import { api, isAbort } from "../api.js";
import { el } from "../dom.js";
import { sessionCard } from "../components.js";
import { clock, dayLabel, localDate, todayIn, zoneLabel } from "../time.js";
import * as programmePage from "./programme.js";

const REFRESH_MS = 60_000;

function byRoom(data, rooms) {
  const order = new Map(rooms.map((r, i) => [r.id, i]));
  const groups = new Map();
  const add = (item, when) => {
    const key = item.room ? item.room.id : "none";
    if (!groups.has(key)) groups.set(key, { room: item.room, now: [], next: [] });
    groups.get(key)[when].push(item);
  };
  data.now.forEach((item) => add(item, "now"));
  data.next.forEach((item) => add(item, "next"));
  return [...groups.values()].sort((a, b) => {
    const ia = a.room && order.has(a.room.id) ? order.get(a.room.id) : 1e9;
    const ib = b.room && order.has(b.room.id) ? order.get(b.room.id) : 1e9;
    return ia - ib;
  });
}

function whenNothing(conference) {
  const today = todayIn(conference.timezone);
  const days = conference.days || [];
  const first = days[0];
  const last = days[days.length - 1];
  if (first && today < first) {
    return `${conference.title} starts on ${dayLabel(first, { long: true })}. Here is the programme.`;
  }
  if (last && today > last) {
    return `${conference.title} ran from ${dayLabel(first, { long: true })} to ${dayLabel(last, { long: true })}. Here is its programme.`;
  }
  return "Nothing is on right now. Here is the programme.";
}

export async function render(ctx) {
  const { view, app, query, signal, setTitle } = ctx;
  const conference = app.conference;
  const slug = encodeURIComponent(conference.slug);
  // "?at=2020-12-14T10:00" shows the programme as it was (or will be) at that moment.
  const at = query.get("at") || "now";
  const live = at === "now";
  setTitle("Now");
  const [data, rooms] = await Promise.all([
    api(`/conferences/${slug}/now-next`, { params: { at }, signal }),
    api(`/conferences/${slug}/rooms`, { signal }).then((b) => b.items).catch((e) => {
      if (isAbort(e)) throw e;
      return [];
    }),
  ]);

  if (!data.now.length && !data.next.length) {
    view.append(
      el("h1", {}, "Now"),
      el("div", { class: "notice" }, el("p", {}, whenNothing(conference))),
    );
    const holder = el("section", { class: "embedded-programme" });
    view.append(holder);
    await programmePage.render({ ...ctx, view: holder, embedded: true });
    return;
  }

  const sub = el("p", { class: "page-head__sub" });
  view.append(el("div", { class: "page-head" }, el("h1", {}, live ? "On now" : "On at this time"), sub));
  const list = el("div", { class: "now-list", "aria-live": "off" });
  view.append(list);

  const paint = (body) => {
    const example = body.now[0]?.start || body.next[0]?.start || body.at;
    const day = localDate(body.at);
    sub.textContent = `${dayLabel(day)}, ${clock(body.at)} · times in ${zoneLabel(conference.timezone, example)}`;
    list.replaceChildren();
    for (const group of byRoom(body, rooms)) {
      const section = el("section", { class: "room-block" },
        el("h2", { class: "room-block__name" }, group.room ? group.room.name : "Elsewhere"));
      for (const when of ["now", "next"]) {
        if (!group[when].length) continue;
        section.append(el("p", { class: "when-label" }, when === "now" ? "Now" : "Next"));
        const ul = el("ul", { class: "session-list" });
        for (const item of group[when]) ul.append(sessionCard(item, app, { showDay: localDate(item.start) !== day, showRoom: false }));
        section.append(ul);
      }
      list.append(section);
    }
  };
  paint(data);

  if (!live) return;
  const timer = setInterval(async () => {
    try {
      paint(await api(`/conferences/${slug}/now-next`, { signal }));
    } catch (error) {
      if (!isAbort(error)) console.warn("now/next refresh failed", error);
    }
  }, REFRESH_MS);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
}
