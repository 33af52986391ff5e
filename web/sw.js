// Backchannel's service worker (served at /sw.js by server/pwa.py, which fills in VERSION and
// PRECACHE: the version hashes every precached file, so any change installs a new worker).
//
// - The app shell (HTML, CSS, JS, icons, the counting rules) is precached per version and
//   served cache-first; old versions are deleted on activate.
// - Programme GETs (conferences, sessions, rooms, tracks, now/next) are stale-while-revalidate;
//   a signed-in page asks with cache "no-store" (its personal fields must be fresh), so those
//   go network-first with the cached copy as the offline fallback.
// - /socket.io, personal data (/me, /auth) and every write: network only, never cached.
// - Posts written offline wait in IndexedDB (web/static/js/outbox.js); the "outbox" Background
//   Sync tag sends them with the idempotency key chosen when they were written.
// - A new version waits until the person agrees (message SKIP_WAITING) or the app next starts.

import { flushOutbox } from "/static/js/outbox.js";

const VERSION = "__VERSION__";
const PRECACHE = ["__PRECACHE__"];
const SHELL_CACHE = `shell-${VERSION}`;
const RUNTIME_CACHE = "runtime-v1";
const API_CACHE = "api-v1";
const NETWORK_TIMEOUT_MS = 4000;

const PROGRAMME_GET = [
  /^\/api\/v1\/conferences(?:\/[^/]+(?:\/(?:sessions|now-next|rooms|tracks|speakers))?)?$/,
  /^\/api\/v1\/sessions\/\d+$/,
  /^\/api\/v1\/speakers\/\d+$/,
];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // cache: "reload" skips the HTTP cache, so a new version never precaches an old file.
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    const clients = await self.clients.matchAll({ includeUncontrolled: true });
    // The very first install has nobody to trap on an old version: take over at once.
    if (!(await hasOtherShell())) await self.skipWaiting();
    for (const client of clients) client.postMessage({ type: "INSTALLED", version: VERSION });
  })());
});

async function hasOtherShell() {
  const keys = await caches.keys();
  return keys.some((key) => key.startsWith("shell-") && key !== SHELL_CACHE);
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keys = await caches.keys();
    await Promise.all(keys
      .filter((key) => key.startsWith("shell-") && key !== SHELL_CACHE)
      .map((key) => caches.delete(key)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "SKIP_WAITING") self.skipWaiting();
  if (data.type === "CLEAR_PERSONAL") event.waitUntil(caches.delete(API_CACHE));
  if (data.type === "FLUSH_OUTBOX") event.waitUntil(flushOutbox().catch(() => {}));
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(flushOutbox());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // writes: network only
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith("/socket.io")) return; // live: network only
  if (request.mode === "navigate") {
    event.respondWith(navigation(request, path));
    return;
  }
  if (path.startsWith("/static/") || path.startsWith("/vendor/") || path === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (PROGRAMME_GET.some((pattern) => pattern.test(path))) {
    event.respondWith(request.cache === "no-store" ? networkFirst(request) : staleWhileRevalidate(request));
  }
  // Everything else (personal data, posts, media, feeds): the network, untouched.
});

/** Page addresses get the precached shell; others (downloads) the network, else offline. */
async function navigation(request, path) {
  const isPage = !path.startsWith("/api/") && !path.startsWith("/media/") && !path.includes(".");
  if (isPage) {
    const shell = await caches.match("/", { cacheName: SHELL_CACHE });
    if (shell) return shell;
  }
  try {
    return await fetch(request);
  } catch (error) {
    return (await caches.match("/offline.html")) || Response.error();
  }
}

async function cacheFirst(request) {
  const hit = await caches.match(request, { ignoreSearch: false });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(RUNTIME_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

function cacheKey(request) {
  // One entry per address, whatever the Accept or cache mode of the request.
  return new Request(request.url, { method: "GET" });
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(API_CACHE);
  const key = cacheKey(request);
  const cached = await cache.match(key);
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(key, response.clone());
    return response;
  });
  if (cached) {
    refresh.catch(() => {}); // offline: the cached copy stands
    return cached;
  }
  return refresh;
}

async function networkFirst(request) {
  const cache = await caches.open(API_CACHE);
  const key = cacheKey(request);
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, NETWORK_TIMEOUT_MS, null); });
  const network = fetch(request).then((response) => {
    if (response.ok) cache.put(key, response.clone());
    return response;
  });
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    const cached = await cache.match(key);
    return cached || await network;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
