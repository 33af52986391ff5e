// The app: start-up (conference, signed-in user), the history-API router, the header.

import { api, ApiError, isAbort, setAuth } from "./api.js";
import { clear, el, toast } from "./dom.js";
import { errorNotice } from "./components.js";
import * as nowPage from "./pages/now.js";
import * as programmePage from "./pages/programme.js";
import { flushOutbox, onOutboxChange, rememberCsrf, requestSync } from "./outbox.js";
import { startPwa } from "./pwa.js";

const CONFERENCE_KEY = "backchannel.conference";

// The programme pages load with the app; the others (composer, wall, moderation...) when
// first opened, so a first visit on a slow link downloads only what it shows. The service
// worker precaches them all, so later they open at once, offline too.
const sessionPage = () => import("./pages/session.js");
const agendaPage = () => import("./pages/agenda.js");
const loginPage = () => import("./pages/login.js");
const wallPage = () => import("./pages/wall.js");
const draftsPage = () => import("./pages/drafts.js");
const projectorPage = () => import("./pages/projector.js");
const moderationPage = () => import("./pages/moderation.js");
const tweetupsPage = () => import("./pages/tweetups.js");
const chatsPage = () => import("./pages/chats.js");
const followPage = () => import("./pages/follow.js");
const analyticsPage = () => import("./pages/analytics.js");

const ROUTES = [
  { pattern: /^\/$/, nav: "now", page: nowPage },
  { pattern: /^\/c\/([^/]+)$/, nav: "now", page: nowPage, keys: ["slug"] },
  { pattern: /^\/programme$/, nav: "programme", page: programmePage },
  { pattern: /^\/sessions\/(\d+)$/, nav: "programme", page: sessionPage, keys: ["id"] },
  { pattern: /^\/agenda$/, nav: "agenda", page: agendaPage },
  { pattern: /^\/login$/, nav: "account", page: loginPage },
  { pattern: /^\/profile$/, nav: "account", page: loginPage, keys: [], mode: "profile" },
  { pattern: /^\/wall$/, nav: "wall", page: wallPage },
  { pattern: /^\/wall\/([^/]+)$/, nav: "wall", page: wallPage, keys: ["slug"] },
  { pattern: /^\/wall\/([^/]+)\/projector$/, nav: "wall", page: projectorPage, keys: ["slug"], bare: true },
  { pattern: /^\/compose$/, nav: "wall", page: draftsPage, mode: "compose" },
  { pattern: /^\/drafts$/, nav: "account", page: draftsPage },
  { pattern: /^\/outbox$/, nav: "account", page: draftsPage },
  { pattern: /^\/moderation$/, nav: "account", page: moderationPage },
  { pattern: /^\/moderation\/([^/]+)$/, nav: "account", page: moderationPage, keys: ["slug"] },
  { pattern: /^\/tweetups$/, nav: "wall", page: tweetupsPage },
  { pattern: /^\/tweetups\/new$/, nav: "wall", page: tweetupsPage, mode: "new" },
  { pattern: /^\/tweetups\/(\d+)$/, nav: "wall", page: tweetupsPage, keys: ["id"] },
  { pattern: /^\/chats$/, nav: "wall", page: chatsPage },
  { pattern: /^\/chats\/(\d+)$/, nav: "wall", page: chatsPage, keys: ["id"] },
  { pattern: /^\/chats\/(\d+)\/transcript$/, nav: "wall", page: chatsPage, keys: ["id"], mode: "transcript" },
  { pattern: /^\/sessions\/(\d+)\/live$/, nav: "programme", page: followPage, keys: ["id"] },
  { pattern: /^\/following$/, nav: "account", page: followPage, mode: "following" },
  { pattern: /^\/analytics$/, nav: "wall", page: analyticsPage },
];

const state = {
  conferences: [],
  conference: null,
  user: null,
};

let current = null; // { controller } of the page on screen
let firstRender = true;

function readStoredSlug() {
  try {
    return localStorage.getItem(CONFERENCE_KEY);
  } catch {
    return null;
  }
}

function storeSlug(slug) {
  try {
    localStorage.setItem(CONFERENCE_KEY, slug);
  } catch {
    /* private mode: the first conference is the default anyway */
  }
}

/** What the pages get to work with. */
export const app = {
  get conference() { return state.conference; },
  get conferences() { return state.conferences; },
  get user() { return state.user; },

  navigate(path, { replace = false } = {}) {
    if (replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
    render();
  },

  setUser(user, csrfToken) {
    const was = state.user ? state.user.id : null;
    state.user = user || null;
    setAuth(user ? csrfToken : null);
    rememberCsrf(user ? csrfToken : null);
    if (!user && was) forgetPersonal();
    paintAccount();
    if (user) flushOutbox().catch(() => {});
  },

  /** The profile changed (PATCH /me): same session, new details. */
  updateUser(user) {
    state.user = user;
    paintAccount();
  },

  async star(sessionId, on) {
    try {
      await api(`/me/agenda/${sessionId}`, { method: on ? "PUT" : "DELETE" });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) app.setUser(null);
      throw error;
    }
  },

  /** Switch conference (by slug) and remember it. */
  async useConference(slug, signal) {
    if (state.conference && state.conference.slug === slug) return state.conference;
    state.conference = await api(`/conferences/${encodeURIComponent(slug)}`, { signal });
    storeSlug(slug);
    paintConference();
    return state.conference;
  },
};

/** After signing out: no personal API responses stay in the service worker's cache. */
function forgetPersonal() {
  navigator.serviceWorker?.controller?.postMessage({ type: "CLEAR_PERSONAL" });
}

function paintConference() {
  const conference = state.conference;
  const title = document.getElementById("conf-title");
  const hashtag = document.getElementById("conf-hashtag");
  title.textContent = conference ? conference.title : "Backchannel";
  hashtag.textContent = conference && conference.hashtag ? `#${conference.hashtag}` : "";
}

function paintAccount() {
  const link = document.getElementById("nav-account");
  if (state.user) {
    link.textContent = "Profile";
    link.setAttribute("href", "/profile");
    link.setAttribute("title", `Signed in as ${state.user.display_name}`);
  } else {
    link.textContent = "Sign in";
    link.setAttribute("href", "/login");
    link.removeAttribute("title");
  }
}

function paintNav(active) {
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function match(pathname) {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) {
      const params = {};
      (route.keys || []).forEach((key, i) => { params[key] = decodeURIComponent(m[i + 1]); });
      return { route, params };
    }
  }
  return null;
}

function setTitle(text) {
  const conference = state.conference ? state.conference.title : "Backchannel";
  document.title = text ? `${text} · ${conference}` : conference;
}

async function render() {
  if (current) current.controller.abort();
  const controller = new AbortController();
  current = { controller };
  const main = document.getElementById("main");
  const view = el("div", { class: "view" });
  clear(main).append(view);
  const found = match(location.pathname);
  if (!found) {
    paintNav(null);
    setTitle("Not found");
    view.append(
      el("h1", { tabindex: "-1" }, "Page not found"),
      el("p", {}, "There is nothing at this address. ", el("a", { href: "/programme" }, "Browse the programme"), "."),
    );
    focusHeading(view);
    return;
  }
  const { route, params } = found;
  paintNav(route.nav);
  document.body.classList.toggle("bare", Boolean(route.bare));
  try {
    if (params.slug) await app.useConference(params.slug, controller.signal);
    const page = typeof route.page === "function" ? await route.page() : route.page;
    if (controller.signal.aborted) return;
    if (!state.conference && route.page !== loginPage) {
      view.append(noConference());
      return;
    }
    await page.render({
      view,
      app,
      params,
      query: new URLSearchParams(location.search),
      signal: controller.signal,
      mode: route.mode || null,
      setTitle,
    });
    if (!controller.signal.aborted) focusHeading(view);
  } catch (error) {
    if (isAbort(error) || controller.signal.aborted) return;
    if (error instanceof ApiError && error.status === 404 && params.slug) {
      view.append(errorNotice(new ApiError(404, "not_found", `There is no conference “${params.slug}”.`)));
      return;
    }
    console.error(error);
    view.append(errorNotice(error));
  }
}

/** After a navigation, move focus to the new page's heading (not on the first load). */
function focusHeading(view) {
  if (firstRender) {
    firstRender = false;
    return;
  }
  const heading = view.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function noConference() {
  return el("div", { class: "notice" },
    el("h1", {}, "No conference yet"),
    el("p", {}, "An organiser can import a programme with ",
      el("code", {}, "backchannel import FILE --conference SLUG"), "."));
}

/** Same-origin links to app pages go through the router; API and static links do not. */
function onClick(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/static/")) return;
  if (!match(url.pathname)) return;
  event.preventDefault();
  if (url.pathname === location.pathname && url.search === location.search) {
    render();
    return;
  }
  history.pushState(null, "", url.pathname + url.search + url.hash);
  render();
}

async function loadSession() {
  try {
    const body = await api("/auth/session");
    app.setUser(body.user, body.csrf_token);
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) {
      console.warn("Could not check the sign-in:", error);
    }
    app.setUser(null);
  }
}

async function loadConferences() {
  const body = await api("/conferences");
  state.conferences = body.items || [];
  const slugInPath = match(location.pathname)?.params.slug;
  if (slugInPath) return; // render() loads it
  const stored = readStoredSlug();
  const pick = state.conferences.find((c) => c.slug === stored) || state.conferences[0];
  if (pick) {
    try {
      await app.useConference(pick.slug);
    } catch (error) {
      if (pick.slug === stored && state.conferences[0]) await app.useConference(state.conferences[0].slug);
      else throw error;
    }
  }
}

function watchConnection() {
  const banner = document.getElementById("conn-banner");
  const paint = () => {
    banner.hidden = navigator.onLine;
    banner.textContent = navigator.onLine ? "" : "You are offline. What you post waits in your outbox and goes out when you are back.";
  };
  window.addEventListener("offline", paint);
  window.addEventListener("online", async () => {
    paint();
    const result = await flushOutbox().catch(() => null);
    if (result && result.waiting) requestSync();
  });
  // Whoever sent it (this tab, another one, the service worker), say so once it is out.
  let sentTimer = null;
  let sentCount = 0;
  onOutboxChange((message) => {
    if (message.type !== "sent" || !message.queued) return;
    sentCount += 1;
    clearTimeout(sentTimer);
    sentTimer = setTimeout(() => {
      toast(sentCount === 1 ? "Your queued post was sent" : `${sentCount} queued posts were sent`);
      sentCount = 0;
    }, 300);
  });
  paint();
}

async function start() {
  document.addEventListener("click", onClick);
  window.addEventListener("popstate", render);
  watchConnection();
  try {
    await Promise.all([loadSession(), loadConferences()]);
  } catch (error) {
    const main = document.getElementById("main");
    clear(main).append(errorNotice(error, "the programme"),
      el("button", { type: "button", class: "btn", id: "retry" }, "Try again"));
    document.getElementById("retry").addEventListener("click", () => location.reload());
    return;
  }
  await render();
  flushOutbox().catch(() => {});
  // The service worker's precache must not compete with the first screen on a slow link.
  const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 1000));
  later(() => startPwa(), { timeout: 3000 });
}

start();
