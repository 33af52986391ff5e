// The live wall's data: one Socket.IO connection to /live, rooms joined with the last
// sequence number seen, so a reconnect replays exactly what was missed; HTTP paging for the
// first screen and for gaps too long to replay ("resync"). Posts are de-duplicated by id.

import { api } from "./api.js";

const FIRST_SCREEN = 60;
const PAGE = 200;

let socketPromise = null;
let socket = null;
const rooms = new Map(); // room -> Feed

function connect() {
  if (!socketPromise) {
    socketPromise = import("/vendor/socket.io.esm.min.js").then(({ io }) => {
      socket = io("/live", {
        transports: ["websocket", "polling"],
        withCredentials: true,
        reconnectionDelay: 500,
        reconnectionDelayMax: 5000,
      });
      socket.on("connect", () => {
        for (const feed of rooms.values()) feed.rejoin();
      });
      socket.on("disconnect", () => {
        for (const feed of rooms.values()) feed.setStatus("offline");
      });
      socket.on("posts", (data) => rooms.get(data && data.room)?.receive(data.posts || []));
      socket.on("post_removed", (data) => rooms.get(data && data.room)?.removed([data.id], data.seq));
      return socket;
    });
  }
  return socketPromise;
}

/** Reconnect now (after a sign-in/out the connection's identity changes). */
export function resetConnection() {
  if (socket) {
    socket.disconnect();
    socket.connect();
  }
}

function emitWithAck(event, payload, timeout = 10000) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeout).emit(event, payload, (err, ack) => (err ? reject(err) : resolve(ack)));
  });
}

/**
 * A room's feed: `onPosts(posts, {initial})`, `onRemoved(ids)`, `onStatus(status)` where
 * status is "connecting" | "live" | "offline".
 */
class Feed {
  constructor(room, { slug, sessionId, onPosts, onRemoved, onStatus }) {
    this.room = room;
    this.slug = slug;
    this.sessionId = sessionId || null;
    this.onPosts = onPosts;
    this.onRemoved = onRemoved;
    this.onStatus = onStatus || (() => {});
    this.seq = null;
    this.seen = new Set();
    this.closed = false;
  }

  setStatus(status) {
    if (!this.closed) this.onStatus(status);
  }

  /** The first screen over HTTP: the latest posts, oldest first. */
  async load(signal) {
    const path = `/conferences/${encodeURIComponent(this.slug)}/posts`;
    const head = await api(path, { params: { after: 0, limit: 1, session_id: this.sessionId }, signal });
    let after = this.sessionId ? 0 : Math.max(0, head.seq - FIRST_SCREEN);
    let items = [];
    let latest = head.seq;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await api(path, { params: { after, limit: PAGE, session_id: this.sessionId }, signal });
      items = items.concat(page.items);
      latest = page.seq;
      if (!page.next) break;
      after = page.next;
    }
    items = items.slice(-FIRST_SCREEN);
    this.seq = latest;
    this.accept(items, { initial: true });
  }

  accept(posts, { initial = false } = {}) {
    const fresh = [];
    for (const post of posts) {
      if (post.seq != null && (this.seq == null || post.seq > this.seq)) this.seq = post.seq;
      if (this.seen.has(post.id)) continue;
      this.seen.add(post.id);
      fresh.push(post);
    }
    if ((fresh.length || initial) && !this.closed) this.onPosts(fresh, { initial });
  }

  receive(posts) {
    this.accept(posts);
  }

  removed(ids, seq) {
    if (seq != null && (this.seq == null || seq > this.seq)) this.seq = seq;
    // Forget removed posts so a moderator's restore (a new seq) shows them again.
    for (const id of ids) this.seen.delete(id);
    if (ids.length && !this.closed) this.onRemoved(ids);
  }

  async rejoin() {
    if (this.closed) return;
    this.setStatus("connecting");
    try {
      const ack = await emitWithAck("join", { room: this.room, since: this.seq ?? undefined });
      if (!ack || !ack.ok) {
        this.setStatus("offline");
        return;
      }
      if (ack.resync) {
        await this.catchUpOverHttp();
      } else {
        if (ack.removed && ack.removed.length) this.removed(ack.removed);
        this.accept(ack.posts || []);
      }
      if (ack.seq != null && (this.seq == null || ack.seq > this.seq)) this.seq = ack.seq;
      this.setStatus("live");
    } catch {
      this.setStatus("offline");
    }
  }

  /** Too long away for a replay: page through what was missed. */
  async catchUpOverHttp() {
    const path = `/conferences/${encodeURIComponent(this.slug)}/posts`;
    let after = this.seq || 0;
    for (let pages = 0; pages < 20; pages += 1) {
      const page = await api(path, { params: { after, limit: PAGE, session_id: this.sessionId } });
      if (page.removed && page.removed.length) this.removed(page.removed);
      this.accept(page.items);
      if (!page.next) {
        this.seq = Math.max(this.seq || 0, page.seq);
        break;
      }
      after = page.next;
    }
  }

  close() {
    this.closed = true;
    if (rooms.get(this.room) === this) rooms.delete(this.room);
    if (socket && socket.connected) socket.emit("leave", { room: this.room }, () => {});
  }
}

/** Follow a room; returns the Feed (call .close() when the page goes away). */
export async function follow(room, options, signal) {
  const existing = rooms.get(room);
  if (existing) existing.close();
  const feed = new Feed(room, options);
  rooms.set(room, feed);
  signal?.addEventListener("abort", () => feed.close(), { once: true });
  feed.setStatus("connecting");
  await feed.load(signal);
  const io = await connect();
  if (io.connected) await feed.rejoin();
  return feed;
}

/** Post through the socket (acknowledged after commit); the HTTP outbox is the fallback. */
export async function postLive(payload) {
  const io = await connect();
  if (!io.connected) throw new Error("offline");
  return emitWithAck("post", payload);
}

/**
 * Join a room that is not a wall (the moderators' `moderation:<slug>`) and hear `events`
 * ({name: handler}); rejoined after every reconnect. Returns a function that stops it.
 */
export async function subscribe(room, events, { onJoin } = {}) {
  const io = await connect();
  const handlers = Object.entries(events).map(([name, handler]) => {
    const wrapped = (data) => { if (data && data.room === room) handler(data); };
    io.on(name, wrapped);
    return [name, wrapped];
  });
  const join = async () => {
    try {
      const ack = await emitWithAck("join", { room });
      if (onJoin) onJoin(ack);
    } catch {
      if (onJoin) onJoin(null);
    }
  };
  io.on("connect", join);
  if (io.connected) await join();
  return () => {
    io.off("connect", join);
    for (const [name, wrapped] of handlers) io.off(name, wrapped);
    if (io.connected) io.emit("leave", { room }, () => {});
  };
}
