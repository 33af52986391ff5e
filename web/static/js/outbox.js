// Local storage that survives a dead zone: drafts and the outbox, in IndexedDB.
//
// A post is written to the outbox *first*, with the idempotency key chosen at that moment,
// and only then sent. Whoever sends it (this page, another tab, the service worker's
// Background Sync) sends the same key, so the server stores it once however often it is
// retried. Used by the pages and by the service worker (no DOM here).

const DB_NAME = "backchannel";
const DB_VERSION = 1;
const CHANNEL = "backchannel-outbox";

let opening = null;

function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "key" });
        if (!db.objectStoreNames.contains("drafts")) {
          const drafts = db.createObjectStore("drafts", { keyPath: "id" });
          drafts.createIndex("session", "session_id");
        }
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "name" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => { opening = null; reject(request.error); };
    });
  }
  return opening;
}

async function run(storeName, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const store = tx.objectStore(storeName);
    let result;
    const request = work(store);
    if (request) request.onsuccess = () => { result = request.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const store = {
  get: (name, key) => run(name, "readonly", (s) => s.get(key)),
  all: (name) => run(name, "readonly", (s) => s.getAll()),
  put: (name, value) => run(name, "readwrite", (s) => s.put(value)),
  delete: (name, key) => run(name, "readwrite", (s) => s.delete(key)),
  clear: (name) => run(name, "readwrite", (s) => s.clear()),
};

export function newKey() {
  return crypto.randomUUID();
}

function announce(message) {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage(message);
    channel.close();
  } catch {
    /* no BroadcastChannel: pages refresh their list on their own */
  }
}

/** Listen to outbox changes (sent, failed, queued) from any tab or the service worker. */
export function onOutboxChange(listener) {
  let channel = null;
  try {
    channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => listener(event.data);
  } catch {
    return () => {};
  }
  return () => channel.close();
}

/** Remember the CSRF token for the service worker's sends (cleared on sign-out). */
export async function rememberCsrf(token) {
  try {
    if (token) await store.put("meta", { name: "csrf", value: token });
    else await store.delete("meta", "csrf");
  } catch {
    /* private mode without IndexedDB: the page sends while it is open */
  }
}

/**
 * Queue a post: {slug, text, session_id, confirm_findings, allow_duplicate} -> the stored item
 * (its `key` is the Idempotency-Key every send of it will carry).
 */
export async function queuePost(post) {
  const item = {
    key: newKey(),
    slug: post.slug,
    text: post.text,
    session_id: post.session_id ?? null,
    confirm_findings: Boolean(post.confirm_findings),
    allow_duplicate: Boolean(post.allow_duplicate),
    image_ids: post.image_ids || [],
    extra: post.extra || null, // tweetup_id, chat_id, question, reply_to_id
    created_at: new Date().toISOString(),
    state: "queued",
    attempts: 0,
    error: null,
  };
  await store.put("outbox", item);
  announce({ type: "queued", key: item.key });
  return item;
}

/** Change a held item (after the person confirmed findings) and queue it again, same key. */
export async function requeue(key, changes) {
  const item = await store.get("outbox", key);
  if (!item) return null;
  Object.assign(item, changes, { state: "queued", error: null });
  await store.put("outbox", item);
  announce({ type: "queued", key });
  return item;
}

export async function discard(key) {
  await store.delete("outbox", key);
  announce({ type: "discarded", key });
}

// Outcomes that will not change by retrying: the person has to look at the post.
const NEEDS_ATTENTION = new Set([400, 403, 404, 409, 413, 422]);

async function sendOne(item, csrf) {
  let response;
  try {
    response = await fetch(`/api/v1/conferences/${encodeURIComponent(item.slug)}/posts`, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Idempotency-Key": item.key,
        ...(csrf ? { "X-CSRF-Token": csrf } : {}),
      },
      body: JSON.stringify({
        text: item.text,
        session_id: item.session_id,
        confirm_findings: item.confirm_findings,
        allow_duplicate: item.allow_duplicate,
        ...(item.image_ids && item.image_ids.length ? { image_ids: item.image_ids } : {}),
        ...(item.extra || {}),
      }),
    });
  } catch {
    return { outcome: "offline" };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok) return { outcome: "sent", post: body };
  const error = (body && body.error) || { code: `http_${response.status}`, message: `The server answered ${response.status}.` };
  if (response.status === 401) return { outcome: "signed_out", error };
  if (NEEDS_ATTENTION.has(response.status)) return { outcome: "failed", error };
  return { outcome: "retry", error }; // 429, 5xx: later
}

let flushing = null;

/**
 * Send every queued post, oldest first. Returns {sent, failed, waiting}. Safe to call from
 * anywhere at any time: concurrent calls share one run; two senders of the same item are
 * harmless (same key).
 */
export function flushOutbox() {
  if (flushing) return flushing;
  const work = async () => {
    const summary = { sent: 0, failed: 0, waiting: 0 };
    const items = (await store.all("outbox"))
      .filter((item) => item.state === "queued")
      .sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    if (!items.length) return summary;
    const meta = await store.get("meta", "csrf");
    const csrf = meta ? meta.value : null;
    for (const item of items) {
      const result = await sendOne(item, csrf);
      if (result.outcome === "sent") {
        await store.delete("outbox", item.key);
        summary.sent += 1;
        // `queued`: it had waited (offline, server busy) before going out.
        announce({ type: "sent", key: item.key, post: result.post, queued: item.attempts > 0 });
      } else if (result.outcome === "failed") {
        await store.put("outbox", { ...item, state: "failed", error: result.error, attempts: item.attempts + 1 });
        summary.failed += 1;
        announce({ type: "failed", key: item.key, error: result.error });
      } else {
        await store.put("outbox", { ...item, attempts: item.attempts + 1, error: result.error || null });
        summary.waiting += 1;
        if (result.outcome === "offline" || result.outcome === "signed_out") {
          announce({ type: "waiting", key: item.key, reason: result.outcome });
          break; // no point trying the rest now
        }
      }
    }
    return summary;
  };
  const locked = typeof navigator !== "undefined" && navigator.locks
    ? () => navigator.locks.request("backchannel-outbox", work)
    : work;
  flushing = locked().finally(() => { flushing = null; });
  return flushing;
}

/** Ask for a Background Sync (where the browser has it) so the worker sends when online. */
export async function requestSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    if (registration && "sync" in registration) await registration.sync.register("outbox");
  } catch {
    /* no Background Sync: the page flushes on "online" and at start */
  }
}
