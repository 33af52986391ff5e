// The composer: a drafted post you can edit, live counts per network (computed here, as the
// server counts), a thread preview, PHI and policy findings highlighted in the text with a
// confirmation step, hand-off to each network's composer and the share sheet, and "post to
// the wall" through the outbox (so a post written in a dead zone goes out once, later).

import { api, ApiError, currentCsrfToken, isAbort } from "./api.js";
import { debounce, el, toast, uid } from "./dom.js";
import { NETWORK_LABELS, NETWORK_ORDER, mastodonLimit } from "./components.js";
import { loadRules, measure } from "./length.js";
import { queuePost, requestSync, requeue, discard, store } from "./outbox.js";
import { findingsEditor, findingsList, sendQueued, showConfirm } from "./findings.js";

export { highlighted } from "./findings.js";

/** POST /api/v1/uploads (multipart), with the CSRF header api() would add. */
async function uploadImage(form) {
  const response = await fetch("/api/v1/uploads", {
    method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRF-Token": currentCsrfToken() || "" },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && body.error && body.error.message) || `The server answered ${response.status}.`);
  return body;
}

export { NETWORK_LABELS };
const TEMPLATES = [
  ["now", "What is on now"],
  ["takeaway", "A takeaway"],
  ["slides", "About the slides"],
  ["quote", "A quote"],
];

/** The Mastodon instance from the person's handle ("user@med.social" -> "med.social"). */
export function mastodonInstance(user) {
  const handle = user && (user.handles || []).find((h) => h.network === "mastodon");
  const m = handle && /@([a-z0-9.-]+\.[a-z]{2,})$/i.exec(handle.handle);
  return m ? m[1].toLowerCase() : null;
}

function preferredNetwork(user) {
  const first = user && (user.handles || []).find((h) => NETWORK_ORDER.includes(h.network));
  return first ? first.network : "x";
}

/**
 * Build a composer. `talk` (optional) is the session posted about; `draft` an existing draft
 * ({id, text, revision, network}) to continue. Returns the element.
 */
export function composer({ app, talk = null, draft = null, signal, heading = "Post about this session" }) {
  const conference = app.conference;
  const slug = talk ? talk.conference : conference.slug;
  const state = {
    draftId: draft ? draft.id : crypto.randomUUID(),
    revision: draft ? draft.revision ?? null : null,
    network: (draft && draft.network) || preferredNetwork(app.user),
    findings: [],
    checkedText: null,
    confirmed: false,
    rules: null,
    intents: null,
    intentsFor: null,
    images: [], // uploads: {id, thumbnail_url, alt}
  };
  const textId = uid("compose-text");
  const hintId = uid("compose-hint");
  const root = el("section", { class: "composer form-card", "aria-labelledby": `${textId}-h` });
  root.append(el("h2", { id: `${textId}-h` }, heading));

  // ---- drafting from the session ----
  const networkSelect = el("select", { id: uid("network"), name: "network" },
    NETWORK_ORDER.map((n) => el("option", { value: n, selected: n === state.network }, NETWORK_LABELS[n])));
  if (talk) {
    const templateSelect = el("select", { id: uid("template"), name: "template" },
      TEMPLATES.map(([value, label]) => el("option", { value }, label)));
    const quoteInput = el("input", { type: "text", id: uid("quote"), name: "quote", placeholder: "What the speaker said" });
    const quoteField = el("div", { class: "field", hidden: true },
      el("label", { for: quoteInput.id }, "Quote"), quoteInput);
    const draftButton = el("button", { type: "button", class: "btn btn--secondary", id: "draft-button" }, "Draft it for me");
    templateSelect.addEventListener("change", () => { quoteField.hidden = templateSelect.value !== "quote"; });
    draftButton.addEventListener("click", async () => {
      draftButton.disabled = true;
      try {
        const body = await api("/compose/draft", {
          method: "POST",
          body: {
            session_id: talk.id,
            network: networkSelect.value,
            template: templateSelect.value,
            quote: templateSelect.value === "quote" ? quoteInput.value || null : null,
            note: textarea.value.trim() ? textarea.value : null,
          },
          signal,
        });
        textarea.value = body.text;
        showSuggestions(body.suggestions || []);
        changed({ now: true });
        textarea.focus();
      } catch (error) {
        if (!isAbort(error)) toast(error.message || "Could not draft the post.");
      } finally {
        draftButton.disabled = false;
      }
    });
    root.append(el("div", { class: "composer__drafting" },
      el("div", { class: "field" }, el("label", { for: networkSelect.id }, "Posting on"), networkSelect),
      el("div", { class: "field" }, el("label", { for: templateSelect.id }, "Start from"), templateSelect),
      quoteField,
      draftButton));
  } else {
    root.append(el("div", { class: "composer__drafting" },
      el("div", { class: "field" }, el("label", { for: networkSelect.id }, "Posting on"), networkSelect)));
  }

  // ---- the text, with findings highlighted behind it ----
  const textarea = el("textarea", {
    id: textId, name: "text", rows: 6, class: "composer__text", spellcheck: "true",
    "aria-describedby": hintId, placeholder: talk ? "Write, or let Backchannel draft it…" : "What is happening?",
  });
  textarea.value = draft ? draft.text : "";
  const editor = findingsEditor(textarea);
  root.append(el("div", { class: "field composer__field" },
    el("label", { for: textId }, "Your post"),
    editor.element,
    el("p", { class: "field__hint", id: hintId }, "Counts update as you type, for every network.")));

  const suggestions = el("div", { class: "composer__suggestions" });
  root.append(suggestions);
  function showSuggestions(items) {
    suggestions.replaceChildren();
    const open = items.filter((s) => !s.in_text).slice(0, 5);
    if (!open.length) return;
    suggestions.append(el("span", { class: "muted" }, "Add: "));
    for (const s of open) {
      const b = el("button", { type: "button", class: "chip chip--button", title: s.reason }, `#${s.tag}`);
      b.addEventListener("click", () => {
        textarea.value = `${textarea.value.replace(/\s+$/, "")} #${s.tag}`;
        b.remove();
        changed({ now: true });
      });
      suggestions.append(b);
    }
  }

  // ---- photos ----
  const photos = el("div", { class: "composer__photos" });
  if (talk && talk.policy === "no_photos") {
    photos.append(el("p", { class: "muted" }, "No photos in this session: the speaker asked that slides are not photographed."));
  } else {
    const fileId = uid("photo");
    const altId = uid("alt");
    const file = el("input", { type: "file", id: fileId, accept: "image/jpeg,image/png,image/webp", class: "visually-hidden" });
    const alt = el("input", { type: "text", id: altId, maxlength: "1500", placeholder: "What the photo shows" });
    const previews = el("ul", { class: "composer__previews" });
    const photoStatus = el("p", { class: "field__hint", "aria-live": "polite" });
    const paintPreviews = () => {
      previews.replaceChildren(...state.images.map((image) => {
        const remove = el("button", { type: "button", class: "btn btn--secondary btn--small", "aria-label": `Remove photo ${image.alt || ""}` }, "Remove");
        remove.addEventListener("click", () => {
          state.images = state.images.filter((i) => i.id !== image.id);
          paintPreviews();
        });
        return el("li", { class: "composer__preview" }, el("img", { src: image.thumbnail_url, alt: image.alt || "" }), remove);
      }));
    };
    file.addEventListener("change", async () => {
      const chosen = file.files && file.files[0];
      file.value = "";
      if (!chosen) return;
      if (!navigator.onLine) {
        photoStatus.textContent = "Photos need a connection; the text can wait in your outbox.";
        return;
      }
      const form = new FormData();
      form.append("file", chosen);
      if (alt.value.trim()) form.append("alt", alt.value.trim());
      photoStatus.textContent = "Uploading…";
      try {
        const upload = await uploadImage(form);
        state.images.push({ id: upload.id, thumbnail_url: upload.thumbnail_url, alt: upload.alt });
        alt.value = "";
        photoStatus.textContent = "Photo added (location and camera details removed).";
        paintPreviews();
      } catch (error) {
        photoStatus.textContent = error.message || "The photo could not be uploaded.";
      }
    });
    photos.append(
      el("div", { class: "field" }, el("label", { for: altId }, "Photo description (for screen readers)"), alt),
      file,
      el("label", { for: fileId, class: "btn btn--secondary btn--small composer__photo-button" }, "Add a photo"),
      photoStatus, previews);
  }
  root.append(photos);

  // ---- counts ----
  const counts = el("ul", { class: "counts", "aria-label": "Length on each network" });
  const countItems = {};
  for (const n of NETWORK_ORDER) {
    countItems[n] = el("li", { class: "count", dataset: { network: n } });
    counts.append(countItems[n]);
  }
  const countSummary = el("p", { class: "visually-hidden", "aria-live": "polite" });
  root.append(counts, countSummary);

  // ---- findings ----
  const findingsBox = el("div", { class: "composer__findings", "aria-live": "polite" });
  root.append(findingsBox);

  // ---- thread preview ----
  const threadBox = el("details", { class: "thread-preview", hidden: true });
  const threadSummary = el("summary", {});
  const threadList = el("ol", { class: "thread-preview__list" });
  threadBox.append(threadSummary, threadList);
  root.append(threadBox);

  // ---- hand-off ----
  const handoff = el("div", { class: "handoff", role: "group", "aria-label": "Post it on" });
  const intentLinks = {};
  for (const n of NETWORK_ORDER) {
    const link = el("a", {
      class: "btn btn--secondary btn--small handoff__link",
      target: "_blank", rel: "noopener noreferrer", dataset: { network: n },
      "aria-disabled": "true",
    }, NETWORK_LABELS[n]);
    link.addEventListener("click", async (event) => {
      if (link.getAttribute("href")) return;
      event.preventDefault();
      const intents = await refreshIntents(true);
      const intent = intents && intents.intents[n];
      if (intent && intent.url) window.open(intent.url, "_blank", "noopener");
    });
    intentLinks[n] = link;
    handoff.append(link);
  }
  const shareButton = el("button", { type: "button", class: "btn btn--secondary btn--small", id: "share-button" }, "Share…");
  shareButton.hidden = typeof navigator.share !== "function";
  shareButton.addEventListener("click", async () => {
    const text = textarea.value;
    if (!text.trim()) return;
    try {
      await navigator.share({ text });
    } catch (error) {
      if (error && error.name !== "AbortError") toast("Sharing did not work here; use a network button or copy the text.");
    }
  });
  const copyButton = el("button", { type: "button", class: "btn btn--secondary btn--small" }, "Copy");
  copyButton.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(textarea.value);
      toast("Copied");
    } catch {
      textarea.select();
      toast("Select the text and copy it");
    }
  });
  handoff.append(shareButton, copyButton);
  root.append(el("h3", { class: "composer__sub" }, "Post it on your network"), handoff);

  // ---- the wall ----
  const confirmBox = el("div", { class: "notice notice--warn composer__confirm", hidden: true, role: "alert" });
  const postButton = el("button", { type: "button", class: "btn btn--block", id: "post-to-wall" }, "Post to the wall");
  const status = el("p", { class: "composer__status muted", "aria-live": "polite" });
  root.append(confirmBox, postButton, status);
  if (talk && talk.policy === "opted_out") {
    postButton.disabled = true;
    status.textContent = "The speaker asked not to be posted about: the wall is closed for this session.";
  }

  // ---- behaviour ----
  // Mastodon is counted against the signed-in person's instance limit, as the server does
  // when a request gives none (read each time: the profile may change it meanwhile).
  const count = (text) => measure(text, state.rules, { mastodonLimit: mastodonLimit(app.user) });

  function paintZeroCounts() {
    const limits = { x: 280, bluesky: 300, mastodon: mastodonLimit(app.user), threads: 500, linkedin: 3000 };
    for (const n of NETWORK_ORDER) {
      countItems[n].replaceChildren(
        el("span", { class: "count__network" }, NETWORK_LABELS[n]),
        el("span", { class: "count__value", dataset: { length: "0" } }, `0/${limits[n]}`));
      countItems[n].className = `count${n === networkSelect.value ? " count--chosen" : ""}`;
    }
  }

  function paintCounts() {
    if (!state.rules) return;
    const result = count(textarea.value);
    const over = [];
    for (const n of NETWORK_ORDER) {
      const m = result[n];
      const item = countItems[n];
      item.className = `count${m.length === 0 ? "" : m.valid ? " count--ok" : " count--over"}${n === networkSelect.value ? " count--chosen" : ""}`;
      item.replaceChildren(
        el("span", { class: "count__network" }, NETWORK_LABELS[n]),
        el("span", { class: "count__value", dataset: { length: String(m.length) } }, `${m.length}/${m.limit}`));
      item.setAttribute("aria-label", `${NETWORK_LABELS[n]}: ${m.length} of ${m.limit}${m.length && !m.valid ? ", too long" : ""}`);
      if (m.length && !m.valid) over.push(NETWORK_LABELS[n]);
    }
    countSummary.textContent = over.length ? `Too long for ${over.join(", ")}` : "";
    return result;
  }

  function paintFindings() {
    const current = textarea.value === state.checkedText ? state.findings : [];
    editor.paint(current);
    findingsBox.replaceChildren();
    if (!current.length) return;
    const list = findingsList(textarea.value, current);
    findingsBox.append(el("div", { class: "notice notice--warn" },
      el("p", {}, el("strong", {}, current.some((f) => f.kind === "phi")
        ? "This may identify a patient. Check the highlighted parts."
        : "Check the session's policy.")),
      list));
  }

  async function check(signalOf) {
    const text = textarea.value;
    if (!text.trim()) {
      state.findings = [];
      state.checkedText = text;
      paintFindings();
      return [];
    }
    const body = await api("/compose/check", { method: "POST", body: { text, session_id: talk ? talk.id : null }, signal: signalOf });
    if (textarea.value === text) {
      state.findings = body.findings;
      state.checkedText = text;
      paintFindings();
    }
    return body.findings;
  }

  async function refreshThread() {
    const result = state.rules ? count(textarea.value) : null;
    const network = networkSelect.value;
    if (!result || !result[network].length || result[network].valid) {
      threadBox.hidden = true;
      return;
    }
    try {
      const body = await api("/compose/thread", {
        method: "POST", body: { text: textarea.value, network, session_id: talk ? talk.id : null }, signal,
      });
      threadList.replaceChildren(...body.parts.map((part) => el("li", { class: "thread-preview__part" },
        el("p", { class: "post-text" }, part.text),
        el("p", { class: `thread-preview__count${part.valid ? "" : " count--over"}` }, `${part.length}/${body.limit}`))));
      threadSummary.textContent = `Too long for one post on ${NETWORK_LABELS[network]}: as a thread of ${body.parts.length}`;
      threadBox.hidden = false;
    } catch (error) {
      if (!isAbort(error)) threadBox.hidden = true;
    }
  }

  function paintIntents(body) {
    for (const n of NETWORK_ORDER) {
      const intent = body.intents[n];
      const link = intentLinks[n];
      if (intent && intent.url) {
        link.setAttribute("href", intent.url);
        link.removeAttribute("aria-disabled");
        link.title = intent.valid ? `Open ${NETWORK_LABELS[n]} with this post` : (intent.reason || "Too long for this network");
      } else {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
        link.title = (intent && intent.reason) || "Not available";
      }
    }
  }

  async function refreshIntents(force = false) {
    const text = textarea.value;
    if (!text.trim()) return null;
    if (!force && state.intentsFor === text) {
      // Same text as last time (the counting rules arrived, say): the links were made stale
      // by the change signal, so they are put back from what is known.
      paintIntents(state.intents);
      return state.intents;
    }
    try {
      const body = await api("/compose/intents", {
        method: "POST", body: { text, mastodon_instance: mastodonInstance(app.user) }, signal,
      });
      if (textarea.value !== text) return body;
      state.intents = body;
      state.intentsFor = text;
      paintIntents(body);
      return body;
    } catch (error) {
      if (!isAbort(error)) console.warn("intents unavailable", error);
      return null;
    }
  }

  function staleIntents() {
    for (const link of Object.values(intentLinks)) {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
  }

  const slowWork = debounce(() => {
    if (!navigator.onLine) return;
    check(signal).catch((error) => { if (!isAbort(error)) console.warn("check failed", error); });
    refreshThread();
    refreshIntents();
  }, 450);

  const saveLocal = debounce(() => saveDraft(), 800);

  function changed({ now = false } = {}) {
    state.confirmed = false;
    confirmBox.hidden = true;
    paintCounts();
    paintFindings();
    staleIntents();
    if (now) {
      slowWork.cancel();
      if (navigator.onLine) {
        check(signal).catch(() => {});
        refreshThread();
        refreshIntents();
      }
    } else {
      slowWork();
    }
    saveLocal();
  }

  textarea.addEventListener("input", () => changed());
  networkSelect.addEventListener("change", () => { paintCounts(); refreshThread(); saveLocal(); });

  let serverSave = null;
  async function saveDraft() {
    const text = textarea.value;
    const record = {
      id: state.draftId, text, session_id: talk ? talk.id : null, conference: slug,
      network: networkSelect.value, revision: state.revision, updated_at: new Date().toISOString(),
    };
    if (!text.trim()) {
      await store.delete("drafts", state.draftId).catch(() => {});
      return;
    }
    await store.put("drafts", record).catch(() => {});
    status.textContent = "Draft saved on this device";
    if (!app.user || !navigator.onLine) return;
    clearTimeout(serverSave);
    serverSave = setTimeout(() => syncDraft(record), 1200);
  }

  async function syncDraft(record, retried = false) {
    try {
      const saved = await api(`/me/drafts/${state.draftId}`, {
        method: "PUT",
        body: { text: record.text, session_id: record.session_id, network: record.network, revision: state.revision },
      });
      state.revision = saved.revision;
      await store.put("drafts", { ...record, revision: saved.revision, synced: true }).catch(() => {});
      if (textarea.value === record.text) status.textContent = "Draft saved";
    } catch (error) {
      if (error instanceof ApiError && error.code === "stale_revision" && !retried) {
        // Changed on another device meanwhile: keep what is on this screen, say so.
        const current = error.details && error.details.current;
        state.revision = current ? current.revision : null;
        toast("This draft was also changed on another device; your version here was kept.");
        await syncDraft(record, true);
      }
    }
  }

  async function forgetDraft() {
    const id = state.draftId;
    await store.delete("drafts", id).catch(() => {});
    if (app.user && state.revision != null) api(`/me/drafts/${id}`, { method: "DELETE" }).catch(() => {});
    state.draftId = crypto.randomUUID();
    state.revision = null;
  }

  function confirmStep(findings, { onConfirm, label = "Post anyway" }) {
    showConfirm(confirmBox, {
      text: textarea.value, findings, label, id: "confirm-post", onConfirm, onEdit: () => textarea.focus(),
    });
  }

  async function deliver(item) {
    const outcome = await sendQueued(item);
    if (outcome.sent) {
      status.textContent = "Posted to the wall.";
      toast("Posted to the wall");
      return;
    }
    if (outcome.waiting) {
      requestSync();
      status.textContent = "You are offline: your post is in the outbox and goes out by itself when you are back online.";
      toast("Saved to your outbox");
      return;
    }
    const error = outcome.failed;
    if (error.code === "phi_suspected") {
      textarea.value = item.text;
      state.findings = error.findings || [];
      state.checkedText = item.text;
      paintFindings();
      confirmStep(state.findings, {
        onConfirm: async () => deliver(await requeue(item.key, { confirm_findings: true })),
      });
      return;
    }
    if (error.code === "duplicate_post") {
      confirmStep([], {
        label: "Post it again",
        onConfirm: async () => deliver(await requeue(item.key, { allow_duplicate: true })),
      });
      confirmBox.firstChild.replaceChildren(el("strong", {}, "You just posted the same text."));
      return;
    }
    await discard(item.key);
    textarea.value = item.text;
    changed();
    status.textContent = error.message || "The wall refused this post.";
    toast(error.message || "The wall refused this post.");
  }

  async function post(confirmFindings = false) {
    const text = textarea.value;
    if (!app.user) {
      status.replaceChildren("Sign in to post to the wall. ",
        el("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, "Sign in"));
      return;
    }
    if (!text.trim()) {
      status.textContent = "Write something first.";
      textarea.focus();
      return;
    }
    let findings = textarea.value === state.checkedText ? state.findings : [];
    if (navigator.onLine && !confirmFindings) {
      try {
        findings = await check(signal);
      } catch (error) {
        if (isAbort(error)) return;
      }
    }
    const phi = findings.filter((f) => f.kind === "phi");
    if (phi.length && !confirmFindings) {
      confirmStep(findings, { onConfirm: () => post(true) });
      return;
    }
    postButton.disabled = true;
    try {
      const item = await queuePost({
        slug, text, session_id: talk ? talk.id : null, confirm_findings: confirmFindings,
        image_ids: state.images.map((i) => i.id),
      });
      state.images = [];
      photos.querySelector(".composer__previews")?.replaceChildren();
      textarea.value = "";
      state.findings = [];
      state.checkedText = "";
      changed();
      await forgetDraft();
      await deliver(item);
    } finally {
      postButton.disabled = talk && talk.policy === "opted_out";
    }
  }
  postButton.addEventListener("click", () => post(false));

  // The counting rules (a large emoji pattern) are compiled when the person starts writing,
  // not while the page is still loading; an empty post counts 0 everywhere anyway.
  let rulesRequested = false;
  const needRules = () => {
    if (rulesRequested) return;
    rulesRequested = true;
    loadRules().then((rules) => {
      state.rules = rules;
      paintCounts();
      if (textarea.value.trim()) changed({ now: true });
    }).catch((error) => console.error("counting rules unavailable", error));
  };
  textarea.addEventListener("focus", needRules);
  textarea.addEventListener("input", needRules);
  root.querySelector("#draft-button")?.addEventListener("click", needRules);
  if (textarea.value.trim()) needRules();
  paintZeroCounts();
  paintFindings();
  signal?.addEventListener("abort", () => { slowWork.cancel(); saveLocal.cancel(); clearTimeout(serverSave); }, { once: true });
  return root;
}
