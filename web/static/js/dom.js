// Small DOM helpers. Data is only ever placed with textContent or attributes, never as HTML.

/**
 * el("a", {class: "x", href: "/y"}, "text", child, [children]) -> element.
 * Attributes named on* are refused; `dataset` and boolean attributes are supported.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) throw new Error(`el(): use addEventListener, not ${name}`);
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** A safe external link: only http(s) URLs become links; anything else is plain text. */
export function safeLink(url, text, attrs = {}) {
  const label = text || url;
  if (!isHttpUrl(url)) return document.createTextNode(label || "");
  return el("a", { href: url, rel: "noopener noreferrer", target: "_blank", ...attrs }, label);
}

export function isHttpUrl(value) {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

let idCounter = 0;
export function uid(prefix = "id") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

export function debounce(fn, wait) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

let toastTimer = null;
/** A short polite announcement at the bottom of the screen. */
export function toast(message) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.classList.add("toast--visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.classList.remove("toast--visible");
    setTimeout(() => { if (!box.classList.contains("toast--visible")) box.textContent = ""; }, 300);
  }, 3500);
}
