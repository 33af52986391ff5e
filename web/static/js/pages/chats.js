// Tweetchats: the list, a chat's live page (the host releases Q1, Q2...; answers are grouped
// under their question, replies under what they reply to; the composer knows the hashtag and
// the current question), and the transcript afterwards.

import { api, ApiError } from "../api.js";
import { el, toast } from "../dom.js";
import { errorNotice } from "../components.js";
import { dayLabel, localDate, timeRange } from "../time.js";
import { postItem } from "../wall.js";
import { followRoom, sendPost, useConnectingStyles } from "../room.js";

function when(c) {
  return `${dayLabel(localDate(c.start))}, ${timeRange(c.start, c.end)}`;
}

const ANSWER_MARK = /^\s*(?:[@#][^\s]+[,:]?\s+)*[Aa]\d{1,2}(?=$|[\s:.)\-,;!?])/;
const STATES = { scheduled: "Scheduled", live: "Live now", ended: "Ended" };

async function renderList({ view, app, signal, setTitle }) {
  setTitle("Tweetchats");
  view.append(el("div", { class: "page-head" },
    el("h1", {}, "Tweetchats"),
    el("p", { class: "page-head__sub" }, "Hashtag chats: the host asks Q1, Q2…; answer with A1, A2…")));
  const body = await api(`/conferences/${encodeURIComponent(app.conference.slug)}/chats`, { signal });
  if (!body.items.length) {
    view.append(el("p", { class: "muted" }, "No tweetchats scheduled."));
    return;
  }
  view.append(el("ul", { class: "session-list", id: "chat-list" }, body.items.map((c) => el("li", { class: "card" },
    el("div", { class: "card__body" },
      el("p", { class: "card__meta" }, el("span", { class: "card__time" }, when(c)), " · ", STATES[c.state]),
      el("h2", { class: "card__title" }, el("a", { href: `/chats/${c.id}` }, c.title)),
      el("p", { class: "card__subtitle" }, `#${c.hashtag} · ${c.question_count} questions`
        + (c.host ? ` · hosted by ${c.host.display_name}` : "")))))));
}

/** Posts of one group, replies nested under the post they reply to. */
function threaded(posts) {
  const byId = new Map(posts.map((p) => [p.id, p]));
  const children = new Map();
  const roots = [];
  for (const post of posts) {
    if (post.reply_to_id && byId.has(post.reply_to_id)) {
      if (!children.has(post.reply_to_id)) children.set(post.reply_to_id, []);
      children.get(post.reply_to_id).push(post);
    } else {
      roots.push(post);
    }
  }
  return { roots, children };
}

async function renderChat({ view, app, params, signal, setTitle }) {
  let chat;
  try {
    chat = await api(`/chats/${encodeURIComponent(params.id)}`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      setTitle("Tweetchat not found");
      view.append(el("h1", {}, "Tweetchat not found"), el("p", {}, el("a", { href: "/chats" }, "All tweetchats")));
      return;
    }
    throw error;
  }
  if (chat.conference !== app.conference.slug) await app.useConference(chat.conference, signal);
  setTitle(chat.title);
  view.append(el("p", {}, el("a", { href: "/chats" }, "← Tweetchats")));
  const head = el("div", { class: "page-head" });
  const stateLine = el("p", { class: "page-head__sub", id: "chat-state" });
  head.append(el("h1", {}, chat.title), stateLine);
  view.append(head);
  const current = el("div", { class: "chat-current notice", id: "current-question", "aria-live": "polite" });
  view.append(current);
  const hostBox = el("div", { class: "btn-row chat-host", id: "host-controls" });
  view.append(hostBox);
  view.append(el("p", {}, el("a", { href: `/chats/${chat.id}/transcript`, id: "transcript-link" }, "Transcript"),
    " · ", el("a", { href: `/api/v1/chats/${chat.id}/transcript.md`, download: `tweetchat-${chat.id}.md` }, "Markdown")));

  // ---- composer: the question picked, the drafted answer, reply-to ----
  const select = el("select", { id: "answer-question", name: "question" });
  const textarea = el("textarea", { id: "answer-text", rows: 3, class: "composer__text", placeholder: "Your answer…" });
  const replying = el("p", { class: "muted", id: "replying", hidden: true });
  const send = el("button", { type: "button", class: "btn", id: "answer-post" }, "Post answer");
  const draft = el("button", { type: "button", class: "btn btn--secondary", id: "answer-draft" }, "Add A-number and hashtag");
  const status = el("p", { class: "muted", "aria-live": "polite" });
  let replyTo = null;
  let picked = false; // the person chose a question: new questions do not move the choice
  select.addEventListener("change", () => { picked = true; });
  const composerBox = el("section", { class: "form-card", id: "answer-composer" },
    el("h2", {}, "Answer"),
    el("div", { class: "field" }, el("label", { for: select.id }, "Answering"), select),
    replying,
    el("div", { class: "field" }, el("label", { for: textarea.id }, "Your post"), textarea),
    el("div", { class: "btn-row" }, draft, send), status);
  if (app.user) view.append(composerBox);
  else view.append(el("p", {}, el("a", { class: "btn btn--secondary", href: `/login?next=/chats/${chat.id}` }, "Sign in to take part")));

  // ---- the wall, grouped by question ----
  const wall = el("section", { class: "chat-wall", id: "chat-wall" });
  const liveDot = el("span", { class: "live-status", dataset: { status: "connecting" } }, "Connecting…");
  view.append(el("div", { class: "wall__head" }, el("h2", {}, "Answers"), liveDot), wall);
  const posts = new Map();

  function paintState() {
    stateLine.textContent = `#${chat.hashtag} · ${when(chat)} · ${STATES[chat.state]}`
      + (chat.host ? ` · hosted by ${chat.host.display_name}` : "");
    const q = chat.current_question;
    current.replaceChildren(q
      ? el("p", {}, el("strong", {}, "Now: "), el("span", { id: "current-text" }, q.text))
      : el("p", {}, chat.state === "ended" ? "This chat has ended." : "The host has not asked the first question yet."));
    const released = chat.questions.filter((x) => x.released_at);
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "" }, "No question (just chatting)"),
      ...released.map((x) => el("option", { value: String(x.number) }, `Q${x.number}`)));
    const keep = picked && released.some((x) => String(x.number) === chosen);
    select.value = keep ? chosen : (q ? String(q.number) : "");
    hostBox.replaceChildren();
    if (chat.can_host && chat.state !== "ended") {
      const next = chat.questions.find((x) => !x.released_at);
      if (next) {
        const b = el("button", { type: "button", class: "btn", id: "release-next" }, `Ask Q${next.number}`);
        b.title = next.text;
        b.addEventListener("click", async () => {
          b.disabled = true;
          try {
            const result = await api(`/chats/${chat.id}/next`, { method: "POST", body: { expected: next.number } });
            chat = result.chat;
            paintState();
            paintWall();
          } catch (error) {
            toast(error.message || "Could not release the question.");
            b.disabled = false;
          }
        });
        hostBox.append(b, el("span", { class: "muted chat-next" }, next.text));
      }
      const end = el("button", { type: "button", class: "btn btn--secondary", id: "end-chat" }, "End the chat");
      end.addEventListener("click", async () => {
        chat = await api(`/chats/${chat.id}/end`, { method: "POST" });
        paintState();
      });
      hostBox.append(end);
    }
  }

  function item(post, children) {
    const node = postItem(post, { app });
    if (app.user && chat.state !== "ended") {
      const reply = el("button", { type: "button", class: "post__delete", "aria-label": `Reply to ${post.author.display_name}` }, "Reply");
      reply.addEventListener("click", () => {
        replyTo = post;
        replying.hidden = false;
        replying.replaceChildren(`Replying to ${post.author.display_name} `, cancelReply());
        if (post.question) select.value = String(post.question);
        textarea.focus();
      });
      node.append(reply);
    }
    const kids = children.get(post.id) || [];
    if (kids.length) node.append(el("ol", { class: "post-list chat-replies" }, kids.map((k) => item(k, children))));
    return node;
  }

  function cancelReply() {
    const b = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Cancel");
    b.addEventListener("click", () => { replyTo = null; replying.hidden = true; });
    return b;
  }

  function paintWall() {
    const all = [...posts.values()].sort((a, b) => a.seq - b.seq);
    const groups = new Map();
    for (const post of all) {
      const key = post.question || 0;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(post);
    }
    const sections = [];
    const released = chat.questions.filter((x) => x.released_at);
    for (const q of [...released].reverse()) {
      const { roots, children } = threaded(groups.get(q.number) || []);
      sections.push(el("section", { class: "chat-group", dataset: { question: String(q.number) } },
        el("h3", { class: "chat-group__q" }, q.text),
        roots.length ? el("ol", { class: "post-list" }, roots.map((p) => item(p, children)))
          : el("p", { class: "muted" }, "No answers yet.")));
    }
    const other = groups.get(0) || [];
    if (other.length) {
      const { roots, children } = threaded(other);
      sections.push(el("section", { class: "chat-group", dataset: { question: "0" } },
        el("h3", { class: "chat-group__q" }, "Other posts"),
        el("ol", { class: "post-list" }, roots.map((p) => item(p, children)))));
    }
    wall.replaceChildren(...sections);
  }

  draft.addEventListener("click", async () => {
    try {
      const body = await api(`/chats/${chat.id}/compose`, {
        method: "POST", body: { note: textarea.value, ...(select.value ? { question: Number(select.value) } : {}) },
      });
      textarea.value = body.text;
      textarea.focus();
    } catch (error) {
      toast(error.message || "Could not draft the answer.");
    }
  });
  send.addEventListener("click", async () => {
    const text = textarea.value;
    if (!text.trim()) {
      status.textContent = "Write something first.";
      return;
    }
    send.disabled = true;
    try {
      const extra = replyTo ? { reply_to_id: replyTo.id } : { chat_id: chat.id };
      // An "A<n>" opening the text says which question it answers (the server reads it);
      // otherwise the question picked here does.
      if (select.value && !replyTo && !ANSWER_MARK.test(text)) extra.question = Number(select.value);
      const result = await sendPost(chat.conference, text, extra);
      if (result.failed) {
        status.textContent = result.failed.message || "The wall refused this post.";
        return;
      }
      textarea.value = "";
      replyTo = null;
      picked = false;
      replying.hidden = true;
      status.textContent = result.waiting ? "You are offline: your answer waits in the outbox." : "Posted.";
    } finally {
      send.disabled = false;
    }
  });

  paintState();
  paintWall();
  const refresh = async () => {
    try {
      chat = await api(`/chats/${chat.id}`, { signal });
      paintState();
      paintWall();
    } catch { /* the next event or rejoin tries again */ }
  };
  await followRoom({
    slug: chat.conference, room: chat.room, filter: { chat_id: chat.id }, signal,
    onPosts: (fresh) => { for (const p of fresh) posts.set(p.id, p); paintWall(); },
    onRemoved: (ids) => { for (const id of ids) posts.delete(id); paintWall(); },
    onStatus: (s) => { liveDot.dataset.status = s; liveDot.textContent = s === "live" ? "Live" : s === "offline" ? "Reconnecting…" : "Connecting…"; },
    onRejoin: refresh, // a question released while we were away
    events: { question: refresh, chat_ended: refresh },
  });
}

async function renderTranscript({ view, app, params, signal, setTitle }) {
  const data = await api(`/chats/${encodeURIComponent(params.id)}/transcript`, { signal });
  const chat = data.chat;
  if (chat.conference !== app.conference.slug) await app.useConference(chat.conference, signal);
  setTitle(`Transcript: ${chat.title}`);
  view.append(el("p", {}, el("a", { href: `/chats/${chat.id}` }, "← The chat")));
  view.append(el("div", { class: "page-head" },
    el("h1", {}, chat.title),
    el("p", { class: "page-head__sub" }, `#${chat.hashtag} · ${when(chat)} · ${data.posts} posts by ${data.participants} people`)));
  view.append(el("p", { class: "btn-row" },
    el("a", { class: "btn btn--secondary btn--small", href: `/api/v1/chats/${chat.id}/transcript.md`, download: `tweetchat-${chat.id}.md` }, "Download Markdown"),
    el("a", { class: "btn btn--secondary btn--small", href: `/api/v1/chats/${chat.id}/transcript`, download: `tweetchat-${chat.id}.json` }, "Download JSON")));
  const entry = (a) => el("li", { class: `transcript__answer depth-${Math.min(a.depth, 3)}`, dataset: { postId: String(a.id) } },
    el("p", { class: "post__meta" },
      el("span", { class: "post__author" }, a.author.display_name), " ",
      el("span", { class: "post__handle" }, a.author.handle), " ",
      el("time", { class: "post__time", datetime: a.created_at }, a.created_at.slice(11, 16))),
    el("p", { class: "post-text" }, a.text));
  const body = el("div", { class: "transcript", id: "transcript" });
  for (const q of data.questions) {
    body.append(el("section", { class: "transcript__question", dataset: { question: String(q.number) } },
      el("h2", {}, q.text),
      q.answers.length ? el("ol", { class: "transcript__answers" }, q.answers.map(entry)) : el("p", { class: "muted" }, "No answers.")));
  }
  if (data.other.length) {
    body.append(el("section", { class: "transcript__question" }, el("h2", {}, "Other posts"),
      el("ol", { class: "transcript__answers" }, data.other.map(entry))));
  }
  if (!data.questions.length && !data.other.length) body.append(el("p", { class: "muted" }, "Nothing was posted in this chat."));
  view.append(body);
}

export async function render(ctx) {
  useConnectingStyles();
  try {
    if (ctx.mode === "transcript") return await renderTranscript(ctx);
    if (ctx.params.id) return await renderChat(ctx);
    return await renderList(ctx);
  } catch (error) {
    if (error && error.name === "AbortError") return;
    ctx.view.append(errorNotice(error));
  }
}
