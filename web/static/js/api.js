// The JSON API client: one error shape, the CSRF header on cookie-authenticated writes.

const BASE = "/api/v1";
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

let csrfToken = null;
let signedIn = false;

/** An API failure: `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(status, code, message, field = null, fields = null, details = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.fields = fields;
    this.details = details; // the whole `error` object (findings, current draft, ...)
  }
}

export function setAuth(token) {
  csrfToken = token || null;
  signedIn = Boolean(token);
}

/** The CSRF token for writes that do not go through api() (multipart uploads). */
export function currentCsrfToken() {
  return csrfToken;
}

export function isSignedIn() {
  return signedIn;
}

export function isAbort(error) {
  return error && error.name === "AbortError";
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * Call the API. `path` is below /api/v1. Resolves with the parsed body (null for 204);
 * rejects with an ApiError (or an AbortError when `signal` aborts).
 */
export async function api(path, { method = "GET", body, params, signal } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", signal };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (WRITE_METHODS.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  // Personal fields (starred, overlaps) are not part of the listings' ETags, so a signed-in
  // browser must not reuse a cached copy.
  if (signedIn) init.cache = "no-store";
  let response;
  try {
    response = await fetch(BASE + path + query(params), init);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, "network_error", "Cannot reach Backchannel. Check your connection and try again.");
  }
  if (response.status === 204) return null;
  let data = null;
  if ((response.headers.get("Content-Type") || "").includes("json")) {
    try {
      data = await response.json();
    } catch (error) {
      if (isAbort(error)) throw error;
      data = null;
    }
  }
  if (!response.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(
      response.status,
      err.code || `http_${response.status}`,
      err.message || `The server answered ${response.status}. Please try again.`,
      err.field || null,
      err.fields || null,
      err,
    );
  }
  return data;
}
