// My agenda: starred sessions by day, clashes flagged, the tweetups I RSVPed to, and a
// private calendar feed.

import { api, ApiError } from "../api.js";
import { el, toast, uid } from "../dom.js";
import { errorNotice, sessionCard, tweetupCard } from "../components.js";
import { dayLabel, localDate, zoneLabel } from "../time.js";

function signInPrompt(view) {
  view.append(
    el("h1", {}, "My agenda"),
    el("div", { class: "notice" },
      el("p", {}, "Sign in to star sessions, see clashes and subscribe to your agenda in your calendar app.")),
    el("p", {}, el("a", { class: "btn", href: "/login?next=/agenda" }, "Sign in")),
  );
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
}

function feedSection() {
  const inputId = uid("feed");
  const hintId = uid("feed-hint");
  const button = el("button", { type: "button", class: "btn", id: "subscribe" }, "Subscribe in your calendar");
  const output = el("div", { class: "feed-output", hidden: true });
  const error = el("div", { "aria-live": "assertive" });
  const input = el("input", {
    id: inputId, type: "url", readonly: true, class: "feed-url", "aria-describedby": hintId,
  });
  const copy = el("button", { type: "button", class: "btn btn--secondary" }, "Copy");
  output.append(
    el("div", { class: "field" },
      el("label", { for: inputId }, "Your private calendar address"),
      el("div", { class: "feed-box" }, input, copy),
      el("p", { class: "field__hint", id: hintId },
        "Paste it into your calendar app as a subscription (“From URL”). Anyone with this address can see your agenda; creating a new one turns the old one off.")),
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    error.replaceChildren();
    try {
      const body = await api("/me/agenda/feed", { method: "POST" });
      input.value = body.url;
      output.hidden = false;
      button.textContent = "Create a new address";
      button.className = "btn btn--secondary"; // replacing the address is not the main action now
      input.focus();
      input.select();
    } catch (err) {
      error.append(errorNotice(err, "the calendar address"));
    } finally {
      button.disabled = false;
    }
  });
  copy.addEventListener("click", async () => {
    toast((await copyText(input.value, input)) ? "Calendar address copied" : "Select the address and copy it");
  });
  return el("section", { class: "form-card feed" },
    el("h2", {}, "Subscribe in your calendar"),
    el("p", {}, "Keep your agenda in your phone's calendar: it follows your stars and programme changes."),
    button, error, output);
}

export async function render({ view, app, signal, setTitle }) {
  setTitle("My agenda");
  if (!app.user) {
    signInPrompt(view);
    return;
  }
  const conference = app.conference;
  let body;
  try {
    body = await api("/me/agenda", { params: { conference: conference.slug }, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      app.setUser(null);
      signInPrompt(view);
      return;
    }
    throw error;
  }
  const sub = el("p", { class: "page-head__sub" });
  view.append(el("div", { class: "page-head" }, el("h1", {}, "My agenda"), sub));
  const summary = el("div", { "aria-live": "polite" });
  const list = el("div", { class: "agenda-list" });
  const meetups = el("section", { class: "agenda-tweetups", "aria-labelledby": "my-tweetups" });
  view.append(summary, list, meetups, feedSection());

  /** Tweetups I am going to, might go to or wait for (they are in the calendar feed too). */
  const paintTweetups = (items) => {
    meetups.replaceChildren();
    meetups.hidden = !items.length;
    if (!items.length) return;
    meetups.append(
      el("h2", { id: "my-tweetups" }, "Your tweetups"),
      el("ul", { class: "session-list" }, items.map((t) => tweetupCard(t, { heading: "h3" }))));
  };

  const paint = (items, tweetups = []) => {
    list.replaceChildren();
    summary.replaceChildren();
    paintTweetups(tweetups);
    const starred = items.filter((i) => i.starred !== false);
    if (!starred.length) {
      sub.textContent = "";
      summary.append(el("div", { class: "notice" },
        el("p", {}, "You have not starred any sessions yet. Tap ☆ on a session in the ",
          el("a", { href: "/programme" }, "programme"), " to add it here.")));
      return;
    }
    sub.textContent = `${starred.length} starred ${starred.length === 1 ? "session" : "sessions"} · times in ${zoneLabel(conference.timezone, starred[0].start)}`;
    const clashes = starred.filter((i) => i.overlaps).length;
    if (clashes) {
      summary.append(el("div", { class: "notice notice--warn", role: "status" },
        el("p", {}, `⚠ ${clashes} of your sessions clash with another one you starred. Pick one, or plan to move.`)));
    }
    let day = null;
    let ul = null;
    for (const item of starred) {
      const d = localDate(item.start);
      if (d !== day) {
        day = d;
        list.append(el("h2", { class: "day-head" }, dayLabel(d, { long: true })));
        ul = el("ul", { class: "session-list" });
        list.append(ul);
      }
      ul.append(sessionCard(item, app, { overlap: item.overlaps, onStar: refresh }));
    }
  };

  async function refresh() {
    try {
      const fresh = await api("/me/agenda", { params: { conference: conference.slug }, signal });
      paint(fresh.items, fresh.tweetups);
    } catch (error) {
      if (error.name !== "AbortError") toast(error.message);
    }
  }

  paint(body.items, body.tweetups);
}
