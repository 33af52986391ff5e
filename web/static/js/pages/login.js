// Sign in, create an account, and (on /profile) who is signed in, with sign out.

import { api, ApiError } from "../api.js";
import { el, toast, uid } from "../dom.js";
import { NETWORK_LABELS, NETWORK_ORDER, mastodonLimit } from "../components.js";

const HANDLE_HINTS = {
  x: "username",
  bluesky: "name.bsky.social",
  mastodon: "user@instance.social",
  threads: "username",
  linkedin: "in/your-name",
};

/** Display name and handles per network with follower counts (the wall and analytics use them). */
function handlesForm(app) {
  const user = app.user;
  const form = el("form", { class: "form-card", id: "profile-form", novalidate: true, "aria-labelledby": "handles-h" });
  form.append(el("h2", { id: "handles-h" }, "Your name and handles"),
    el("p", { class: "muted" }, "The drafter mentions you correctly, hand-off opens your Mastodon instance, and organisers count your reach."));
  const nameId = uid("display");
  const name = el("input", { id: nameId, name: "display_name", type: "text", value: user.display_name, autocomplete: "name", required: true });
  form.append(el("div", { class: "field" }, el("label", { for: nameId }, "Your name"), name));
  const rows = {};
  const known = Object.fromEntries((user.handles || []).map((h) => [h.network, h]));
  const table = el("div", { class: "handles-grid" });
  let limit = null;
  for (const network of NETWORK_ORDER) {
    const hid = uid(`handle-${network}`);
    const fid = uid(`followers-${network}`);
    const handle = el("input", {
      id: hid, type: "text", name: `handle-${network}`, value: known[network]?.handle || "",
      placeholder: HANDLE_HINTS[network], autocapitalize: "none", spellcheck: "false", autocomplete: "off",
    });
    const followers = el("input", {
      id: fid, type: "number", min: "0", step: "1", inputmode: "numeric", name: `followers-${network}`,
      value: known[network] ? String(known[network].followers) : "",
    });
    rows[network] = { handle, followers };
    const row = el("div", { class: "handles-grid__row", dataset: { network } },
      el("div", { class: "field" }, el("label", { for: hid }, `${NETWORK_LABELS[network]} handle`), handle),
      el("div", { class: "field" }, el("label", { for: fid }, "Followers"), followers));
    if (network === "mastodon") {
      limit = limitField(user, handle);
      row.append(limit.element);
    }
    table.append(row);
  }
  form.append(table);
  const error = el("div", { "aria-live": "assertive" });
  const save = el("button", { type: "submit", class: "btn" }, "Save profile");
  form.append(error, save);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.replaceChildren();
    limit.setInvalid(null);
    const handles = [];
    for (const network of NETWORK_ORDER) {
      const value = rows[network].handle.value.trim();
      if (!value) continue;
      handles.push({ network, handle: value, followers: Number.parseInt(rows[network].followers.value || "0", 10) || 0 });
    }
    // An empty limit forgets it (Mastodon's 500); anything else goes as typed, and the
    // server says what is wrong with it next to the field.
    const typed = limit.input.value.trim();
    const typedLimit = typed === "" ? null : Number(typed);
    if (limit.input.validity.badInput || (typed !== "" && !Number.isInteger(typedLimit))) {
      limit.setInvalid("Enter a whole number of characters, like 500.");
      return;
    }
    save.disabled = true;
    try {
      const updated = await api("/me", {
        method: "PATCH", body: { display_name: name.value.trim(), handles, mastodon_limit: typedLimit },
      });
      app.updateUser(updated);
      for (const h of updated.handles) rows[h.network].handle.value = h.handle;
      limit.input.value = String(mastodonLimit(updated));
      toast("Profile saved");
    } catch (err) {
      if (err instanceof ApiError && err.field === "mastodon_limit") {
        limit.setInvalid(err.message);
      } else {
        error.append(el("div", { class: "notice notice--error", role: "alert" },
          el("p", {}, err instanceof ApiError ? err.message : "Could not save the profile.")));
      }
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/**
 * "Your instance's post limit": Mastodon's 500 unless the person's instance allows more;
 * "Look it up" asks the server, which asks the instance named in the handle field.
 */
function limitField(user, handle) {
  const id = "mastodon-limit";
  const input = el("input", {
    id, type: "number", name: "mastodon_limit", min: "1", max: "100000", step: "1", inputmode: "numeric",
    value: String(mastodonLimit(user)), "aria-describedby": `${id}-hint ${id}-status ${id}-error`,
  });
  const lookUp = el("button", { type: "button", class: "btn btn--secondary btn--small", id: "mastodon-limit-lookup" }, "Look it up");
  const status = el("p", { class: "field__hint", id: `${id}-status`, "aria-live": "polite" });
  const error = el("p", { class: "field__error", id: `${id}-error` });
  const box = el("div", { class: "field handles-grid__wide" },
    el("label", { for: id }, "Your instance's post limit"),
    el("div", { class: "inline-controls" }, input, lookUp),
    el("p", { class: "field__hint", id: `${id}-hint` },
      "Mastodon allows 500 characters unless your instance allows more (some allow 1,000 or 5,000). "
      + "The drafter counts your Mastodon posts against this number."),
    status, error);
  const setInvalid = (message) => {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    error.textContent = message || "";
  };
  lookUp.addEventListener("click", async () => {
    setInvalid(null);
    const host = handle.value.trim();
    if (!host.includes("@") && !host.includes(".")) {
      status.textContent = "Enter your Mastodon handle (like ada@med.social) first: the limit is your instance's.";
      handle.focus();
      return;
    }
    lookUp.disabled = true;
    status.textContent = "Asking your instance…";
    try {
      const answer = await api("/mastodon/instance-limit", { params: { host } });
      input.value = String(answer.max_characters);
      status.textContent = `${answer.host} allows ${answer.max_characters.toLocaleString("en")} characters. `
        + `${answer.note ? `${answer.note} ` : ""}Save the profile to keep it.`;
    } catch (err) {
      // About the instance, not the number: said under the field, the number stays valid.
      status.textContent = "";
      error.textContent = `${err instanceof ApiError ? err.message : "Could not look it up."} `
        + "You can type the number your instance shows instead.";
    } finally {
      lookUp.disabled = false;
    }
  });
  return { element: box, input, setInvalid };
}

/** Only same-site paths are followed after signing in. */
function nextPath(query) {
  const next = query.get("next") || "";
  return /^\/(?![/\\])/.test(next) ? next : "/programme";
}

function field(form, { name, label, type = "text", autocomplete, hint, required = true }) {
  const id = uid(name);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const input = el("input", {
    id, name, type, autocomplete, required,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    autocapitalize: type === "password" || name === "username" ? "none" : null,
    spellcheck: name === "username" ? "false" : null,
  });
  const error = el("p", { class: "field__error", id: errorId });
  form.append(el("div", { class: "field" },
    el("label", { for: id }, label),
    input,
    hint ? el("p", { class: "field__hint", id: hintId }, hint) : null,
    error));
  return { input, error };
}

/** A form that posts JSON and shows the API's errors next to the fields they name. */
function apiForm({ title, submitLabel, fields, onSubmit, id }) {
  const headingId = uid("form-title");
  const form = el("form", { class: "form-card", "aria-labelledby": headingId, novalidate: true, id });
  form.append(el("h2", { id: headingId }, title));
  const formError = el("div", { class: "form-error", "aria-live": "assertive" });
  form.append(formError);
  const controls = {};
  for (const spec of fields) controls[spec.name] = field(form, spec);
  const submit = el("button", { type: "submit", class: "btn btn--block" }, submitLabel);
  form.append(submit);

  const clearErrors = () => {
    formError.replaceChildren();
    for (const { input, error } of Object.values(controls)) {
      input.removeAttribute("aria-invalid");
      error.textContent = "";
    }
  };
  const showError = (error) => {
    const messages = {};
    if (error instanceof ApiError && error.fields && typeof error.fields === "object") {
      for (const [name, list] of Object.entries(error.fields)) {
        if (controls[name]) messages[name] = Array.isArray(list) ? list.join(" ") : String(list);
      }
    }
    if (error instanceof ApiError && error.field && controls[error.field] && !messages[error.field]) {
      messages[error.field] = error.message;
    }
    const names = Object.keys(messages);
    for (const name of names) {
      controls[name].input.setAttribute("aria-invalid", "true");
      controls[name].error.textContent = messages[name];
    }
    if (names.length) {
      controls[names[0]].input.focus();
    } else {
      const message = error instanceof ApiError ? error.message : "Something went wrong. Please try again.";
      formError.append(el("div", { class: "notice notice--error", role: "alert" }, el("p", {}, message)));
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const values = {};
    let missing = null;
    for (const [name, { input, error }] of Object.entries(controls)) {
      values[name] = name === "password" ? input.value : input.value.trim();
      if (!values[name]) {
        input.setAttribute("aria-invalid", "true");
        error.textContent = "This is required.";
        missing = missing || input;
      }
    }
    if (missing) {
      missing.focus();
      return;
    }
    submit.disabled = true;
    try {
      await onSubmit(values);
    } catch (error) {
      showError(error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function signIn(app, username, password) {
  const body = await api("/auth/session", { method: "POST", body: { username, password } });
  app.setUser(body.user, body.csrf_token);
  return body.user;
}

function profile(view, app) {
  const user = app.user;
  view.append(
    el("h1", {}, "Profile"),
    el("p", {}, "Signed in as ", el("strong", {}, user.display_name), ` (@${user.username}).`),
  );
  const out = el("button", { type: "button", class: "btn btn--secondary", id: "sign-out" }, "Sign out");
  out.addEventListener("click", async () => {
    out.disabled = true;
    try {
      await api("/auth/session", { method: "DELETE" });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        toast(error.message);
        out.disabled = false;
        return;
      }
    }
    app.setUser(null);
    toast("Signed out");
    app.navigate("/");
  });
  const links = el("div", { class: "btn-row" },
    el("a", { class: "btn btn--secondary", href: "/agenda" }, "My agenda"),
    el("a", { class: "btn btn--secondary", href: "/drafts" }, "Drafts and outbox"));
  if (user.role === "organizer" || user.role === "moderator") {
    links.append(el("a", { class: "btn btn--secondary", href: "/moderation" }, "Moderation"));
  }
  links.append(out);
  view.append(links, handlesForm(app), yourData(app));
}

/** Download my data, and delete my account after a confirmation step with the password. */
function yourData(app) {
  const section = el("section", { class: "form-card", id: "your-data", "aria-labelledby": "data-h" });
  section.append(
    el("h2", { id: "data-h" }, "Your data"),
    el("p", { class: "muted" },
      "Everything Backchannel stores about you, as one JSON file: your profile and handles, your posts ",
      "(with their images and alt text), drafts, agenda, follows, tweetups, chats, reports and when you ",
      "signed in."),
    el("div", { class: "btn-row" },
      el("a", { class: "btn btn--secondary", id: "export-data", href: "/api/v1/me/export", download: "" },
        "Download my data")),
    el("h3", {}, "Delete my account"),
    el("p", { class: "muted" }, "This cannot be undone; the next step says what is deleted and asks for your password."),
  );
  const start = el("button", { type: "button", class: "btn btn--secondary btn--danger", id: "delete-account" },
    "Delete my account…");
  const holder = el("div");
  start.addEventListener("click", () => {
    start.hidden = true;
    holder.replaceChildren(deleteForm(app, () => {
      holder.replaceChildren();
      start.hidden = false;
      start.focus();
    }));
    holder.querySelector("input").focus();
  });
  section.append(el("div", { class: "btn-row" }, start), holder);
  return section;
}

function deleteForm(app, cancel) {
  const form = el("form", { id: "delete-account-form", novalidate: true, "aria-labelledby": "delete-h" });
  const pid = uid("delete-password");
  const hint = uid("delete-hint");
  const password = el("input", {
    id: pid, type: "password", name: "password", autocomplete: "current-password", required: true,
    "aria-describedby": hint,
  });
  const fieldError = el("p", { class: "field__error", id: uid("delete-error"), "aria-live": "assertive" });
  const formError = el("div", { "aria-live": "assertive" });
  const confirm = el("button", { type: "submit", class: "btn btn--secondary btn--danger" }, "Delete my account for good");
  const back = el("button", { type: "button", class: "btn btn--secondary" }, "Cancel");
  back.addEventListener("click", cancel);
  form.append(
    el("div", { class: "notice notice--error", role: "note" },
      el("h3", { id: "delete-h" }, "Delete your account?"),
      el("ul", {},
        el("li", {}, "Your posts disappear from every wall, also from screens showing them now; their text and images are erased."),
        el("li", {}, "Your drafts, agenda, calendar feed, handles, follows, RSVPs and reports are deleted; a waitlisted person takes your seat."),
        el("li", {}, "Tweetups you proposed are cancelled; tweetchats you host stay, without your name."),
        el("li", {}, "You are signed out everywhere and your API tokens stop working."),
        el("li", {}, "Moderators' records keep a pseudonym instead of your name.")),
      el("p", {}, "Download your data first if you want to keep it.")),
    el("div", { class: "field" },
      el("label", { for: pid }, "Your password"),
      el("p", { class: "field__hint", id: hint }, "Enter it again to confirm it is you."),
      password, fieldError),
    formError,
    el("div", { class: "btn-row" }, confirm, back),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fieldError.textContent = "";
    formError.replaceChildren();
    password.removeAttribute("aria-invalid");
    if (!password.value) {
      password.setAttribute("aria-invalid", "true");
      fieldError.textContent = "Enter your password to delete your account.";
      password.focus();
      return;
    }
    confirm.disabled = true;
    try {
      await api("/me", { method: "DELETE", body: { password: password.value } });
    } catch (error) {
      confirm.disabled = false;
      if (error instanceof ApiError && error.code === "wrong_password") {
        password.setAttribute("aria-invalid", "true");
        fieldError.textContent = error.message;
        password.select();
        password.focus();
      } else {
        const message = error instanceof ApiError ? error.message : "Something went wrong. Please try again.";
        formError.append(el("div", { class: "notice notice--error", role: "alert" }, el("p", {}, message)));
      }
      return;
    }
    app.setUser(null);
    toast("Your account was deleted");
    app.navigate("/");
  });
  return form;
}

export async function render({ view, app, query, setTitle }) {
  if (app.user) {
    setTitle("Profile");
    profile(view, app);
    return;
  }
  setTitle("Sign in"); // /profile while signed out shows the sign-in forms too
  const next = nextPath(query);
  view.append(el("h1", {}, "Sign in"),
    el("p", { class: "muted" }, "Star sessions, keep your agenda and subscribe to it in your calendar."));

  view.append(apiForm({
    id: "sign-in",
    title: "Sign in",
    submitLabel: "Sign in",
    fields: [
      { name: "username", label: "Username", autocomplete: "username" },
      { name: "password", label: "Password", type: "password", autocomplete: "current-password" },
    ],
    async onSubmit(values) {
      const user = await signIn(app, values.username, values.password);
      toast(`Signed in as ${user.display_name}`);
      app.navigate(next, { replace: true });
    },
  }));

  view.append(apiForm({
    id: "sign-up",
    title: "New here? Create an account",
    submitLabel: "Create account",
    fields: [
      { name: "display_name", label: "Your name", autocomplete: "name", hint: "Shown to other attendees." },
      {
        name: "username", label: "Username", autocomplete: "username",
        hint: "3–40 letters, digits, '_', '.' or '-'.",
      },
      {
        name: "password", label: "Password", type: "password", autocomplete: "new-password",
        hint: "At least 8 characters; a passphrase is best.",
      },
    ],
    async onSubmit(values) {
      await api("/auth/signup", { method: "POST", body: values });
      const user = await signIn(app, values.username, values.password);
      toast(`Welcome, ${user.display_name}`);
      app.navigate(next, { replace: true });
    },
  }));
}
