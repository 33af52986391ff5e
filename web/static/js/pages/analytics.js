// The analytics dashboard: the figures organizers quote (posts, participants, impressions),
// the charts the server draws as SVG, the session leaderboard and CSV downloads.

import { api } from "../api.js";
import { el } from "../dom.js";

const number = new Intl.NumberFormat();
const count = (n, one, many) => `${number.format(n)} ${n === 1 ? one : many}`;

function figure(label, value, note) {
  return el("div", { class: "figure" },
    el("span", { class: "figure-value" }, number.format(value)),
    el("span", { class: "figure-label" }, label),
    note ? el("span", { class: "muted" }, note) : null);
}

function chart(base, name, alt) {
  return el("figure", { class: "chart" },
    el("img", { src: `${base}/chart/${name}.svg`, alt, loading: "lazy", width: "640", height: "320" }));
}

function rankedList(items, line) {
  if (!items.length) return el("p", { class: "muted" }, "Nothing yet.");
  return el("ol", { class: "ranked" }, items.map((item) => el("li", {}, ...line(item))));
}

function sessionLine(s) {
  return [el("a", { href: `/sessions/${s.id}` }, s.title),
    el("span", { class: "muted" }, ` · ${count(s.posts, "post", "posts")} · ${count(s.participants, "person", "people")}`)];
}

export async function render({ view, app, signal, setTitle }) {
  const slug = app.conference.slug;
  const base = `/api/v1/conferences/${encodeURIComponent(slug)}/analytics`;
  setTitle("Analytics");
  const [data, board] = await Promise.all([
    api(`/conferences/${encodeURIComponent(slug)}/analytics`, { params: { limit: 10 }, signal }),
    api(`/conferences/${encodeURIComponent(slug)}/analytics/leaderboard`, { params: { limit: 5 }, signal }),
  ]);
  const s = data.summary;
  view.append(
    el("h1", {}, "Analytics"),
    el("p", { class: "muted" },
      `${data.conference.title}${data.conference.hashtag ? ` · #${data.conference.hashtag}` : ""} · `
      + `counted from posts on Backchannel, times in ${data.conference.timezone}`),
    el("section", { class: "figures", "aria-label": "Totals" },
      figure("posts", s.posts),
      figure("participants", s.participants),
      figure("impressions", s.impressions, "sum of each author's largest stated follower count"),
      figure("hashtags", s.hashtags)),
    el("h2", {}, "Session leaderboard"),
    el("h3", {}, "On now"),
    rankedList(board.now, sessionLine),
    el("h3", {}, "Today"),
    rankedList(board.today, sessionLine),
    el("h2", {}, "Charts"),
    chart(base, "posts_per_hour", "Posts per hour"),
    chart(base, "top_hashtags", "Top hashtags"),
    chart(base, "top_sessions", "Top sessions"),
    el("h2", {}, "Top hashtags"),
    rankedList(data.hashtags.slice(0, 10), (h) => [h.hashtag,
      el("span", { class: "muted" }, ` · ${count(h.posts, "post", "posts")}`)]),
    el("h2", {}, "Top contributors"),
    rankedList(data.top_contributors.by_posts, (c) => [c.display_name,
      el("span", { class: "muted" }, ` · ${count(c.posts, "post", "posts")} · ${count(c.impressions, "impression", "impressions")}`)]),
    el("h2", {}, "Download"),
    el("ul", {}, ["posts_by_hour", "sessions", "hashtags", "contributors"].map((table) =>
      el("li", {}, el("a", { href: `${base}/export.csv?table=${table}`, download: `${slug}-${table}.csv` },
        `${table.replace(/_/g, " ")} (CSV)`)))),
  );
}
