// Post length per network, counted in the browser exactly as the server counts
// (server/domain/text/measure.py); tests/fixtures/length_vectors.json keeps the two in step.
//
// X: twitter-text v3 weighted length. twitter-text's npm package has no browser build usable
// without a bundler, so the algorithm is written here from the published spec and the data it
// needs (URL and emoji patterns, weight ranges) comes from the server's own copy
// (/static/gen/text-rules.js, generated from the same Python package the server counts with).

const EMOJI_CHAR = /[\p{Emoji_Presentation}\p{Regional_Indicator}\uFE0F\u20E3]/u;
// Python `regex`'s \w, which the server's Mastodon mention pattern uses.
const W = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
const FEDI_MENTION = new RegExp(
  `(?<![=/${W}])@([a-z0-9_]+(?:[.\\-]+[a-z0-9_]+)*(?:@[${W}]+(?:[.\\-]+[${W}]+)*)?)`, "giu");
const LATIN_ACCENTS = "\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u00ff\\u0100-\\u024f\\u0253\\u0254\\u0256\\u0257\\u0259"
  + "\\u025b\\u0263\\u0268\\u026f\\u0272\\u0289\\u028b\\u02bb\\u0300-\\u036f\\u1e00-\\u1eff";
const AFTER_MENTION = new RegExp(`^(?:[@\\uff20${LATIN_ACCENTS}]|://)`);
const X_INVALID = /[\uFFFE\uFEFF\uFFFF]/;
const MAX_URL_LENGTH = 4096;

let segmenter = null;
function graphemeSegmenter() {
  if (!segmenter) segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return segmenter;
}

/** Compiled rules: the server's patterns as RegExps, built once. */
export function compileRules(data) {
  return {
    data,
    url: new RegExp(data.patterns.url, "gi"),
    asciiDomain: new RegExp(data.patterns.ascii_domain, "gi"),
    tco: new RegExp(data.patterns.tco_url, "i"),
    noProtocolBefore: new RegExp(data.patterns.no_protocol_before),
    emoji: new RegExp(data.patterns.emoji, "gu"),
  };
}

let loaded = null;
/** The rules module, fetched once (and cached by the service worker). */
export function loadRules() {
  if (!loaded) loaded = import("/static/gen/text-rules.js").then((m) => compileRules(m.default));
  return loaded;
}

/** Code point offsets of each UTF-16 index (length + 1 entries). */
function cpIndex(text) {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i += 1) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        map[i + 1] = cp;
        i += 1;
      }
    }
    cp += 1;
  }
  map[text.length] = cp;
  return map;
}

export function codePoints(text) {
  return Array.from(text);
}

export function utf8Length(text) {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

export function graphemes(text) {
  if (!text) return [];
  return Array.from(graphemeSegmenter().segment(text), (s) => s.segment);
}

export function countGraphemes(text) {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.length - (text.match(/\r\n/g) || []).length;
  let n = 0;
  for (const _ of graphemeSegmenter().segment(text)) n += 1; // eslint-disable-line no-unused-vars
  return n;
}

function validDomain(domain) {
  if (/^[\x20-\x7e]*$/.test(domain)) {
    // Python's "idna" codec: no empty label, each label at most 63 characters.
    const labels = domain.replace(/\.$/, "").split(".");
    return labels.every((l) => l.length > 0 && l.length <= 63) ? domain.length : 0;
  }
  try {
    const host = new URL(`http://${domain}/`).hostname;
    return host.split(".").every((l) => l.length > 0 && l.length <= 63) ? host.length : 0;
  } catch {
    return 0;
  }
}

/**
 * URLs as twitter-text's extractor finds them: [{url, start, end}] with code point offsets.
 * Protocol-less ones (`example.org/x`) too, as the server's counter does.
 */
export function extractUrls(text, rules) {
  if (!text || !text.includes(".")) return [];
  const cps = cpIndex(text);
  const found = [];
  rules.url.lastIndex = 0;
  for (const m of text.matchAll(rules.url)) {
    const before = m[2];
    let url = m[3];
    const protocol = m[4];
    const domain = m[5];
    const path = m[7];
    let end = m.index + m[0].length;
    const start = end - url.length;
    const asciiLength = validDomain(domain);
    if (!asciiLength) continue;
    if ((protocol || "https://").length + url.length + asciiLength - domain.length > MAX_URL_LENGTH) continue;
    if (!protocol) {
      if (rules.noProtocolBefore.test(before)) continue;
      let last = null;
      rules.asciiDomain.lastIndex = 0;
      for (const d of domain.matchAll(rules.asciiDomain)) {
        last = { url: d[0], start: start + d.index, end: start + d.index + d[0].length };
        found.push(last);
      }
      if (!last) continue;
      if (path) {
        last.url = url.replace(domain, last.url);
        last.end = end;
      }
    } else {
      const tco = rules.tco.exec(url);
      if (tco) {
        if (tco[1] && tco[1].length > 40) continue;
        url = tco[0];
        end = start + url.length;
      }
      found.push({ url, start, end });
    }
  }
  return found.map((u) => ({ url: u.url, start: cps[u.start], end: cps[u.end] }));
}

function emojiSpans(text, rules) {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\xa8]*$/.test(text)) return [];
  const cps = cpIndex(text);
  const spans = [];
  rules.emoji.lastIndex = 0;
  for (const m of text.matchAll(rules.emoji)) {
    spans.push([cps[m.index], cps[m.index + m[0].length] - cps[m.index]]);
  }
  return spans;
}

function weightOf(cp, x) {
  for (const [first, last, weight] of x.ranges) {
    if (cp >= first && cp <= last) return weight;
  }
  return x.default_weight;
}

/** twitter-text v3 weighted length: {length, limit, valid}. */
export function countX(text, rules) {
  const x = rules.data.x;
  let normalized = text.normalize("NFC");
  if (normalized.includes("\r")) normalized = normalized.replace(/\r\n|\r/g, "\n");
  const chars = Array.from(normalized, (c) => c.codePointAt(0));
  const entities = extractUrls(normalized, rules).map(
    (u) => [u.start, u.end - u.start, 0, x.transformed_url_length * x.scale]);
  if (x.emoji_parsing_enabled) {
    for (const [start, size] of emojiSpans(normalized, rules)) entities.push([start, size, 1, x.default_weight]);
    entities.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
  }
  let total = 0;
  let cursor = 0;
  const plain = (from, to) => {
    for (let i = from; i < to; i += 1) total += weightOf(chars[i], x);
  };
  for (const [start, size, , weight] of entities) {
    if (start < cursor) continue;
    plain(cursor, start);
    total += weight;
    cursor = start + size;
  }
  plain(cursor, chars.length);
  const length = Math.floor(total / x.scale);
  const valid = !X_INVALID.test(normalized) && length > 0 && length <= x.max_weighted_length;
  return { length, limit: x.max_weighted_length, valid };
}

function countMastodon(text, urls) {
  const spans = urls
    .filter((u) => /^https?:\/\//i.test(u.url.slice(0, 8)))
    .map((u) => [u.start, u.end, "x".repeat(23)]);
  if (text.includes("@")) {
    const cps = cpIndex(text);
    FEDI_MENTION.lastIndex = 0;
    for (const m of text.matchAll(FEDI_MENTION)) {
      const endUnits = m.index + m[0].length;
      if (AFTER_MENTION.test(text.slice(endUnits))) continue;
      spans.push([cps[m.index], cps[endUnits], `@${m[1].split("@")[0]}`]);
    }
  }
  if (!spans.length) return countGraphemes(text);
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
  const chars = Array.from(text);
  let out = "";
  let cursor = 0;
  for (const [start, end, replacement] of spans) {
    if (start < cursor) continue;
    out += chars.slice(cursor, start).join("") + replacement;
    cursor = end;
  }
  out += chars.slice(cursor).join("");
  return countGraphemes(out);
}

function countThreads(text) {
  const cpLength = Array.from(text).length;
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text) || !EMOJI_CHAR.test(text)) return cpLength;
  let extra = 0;
  for (const cluster of graphemes(text)) {
    // eslint-disable-next-line no-control-regex
    if (!/^[\x00-\x7f]*$/.test(cluster) && EMOJI_CHAR.test(cluster)) {
      extra += utf8Length(cluster) - Array.from(cluster).length;
    }
  }
  return cpLength + extra;
}

/**
 * Measure `text` on every network: {x: {length, limit, valid}, bluesky: ..., mastodon: ...,
 * threads: ..., linkedin: ...}, as POST /api/v1/compose/measure answers.
 */
export function measure(text, rules, { mastodonLimit = 500 } = {}) {
  const limits = rules.data.limits;
  const urls = extractUrls(text, rules);
  const bluesky = countGraphemes(text);
  const mastodon = countMastodon(text, urls);
  const threads = countThreads(text);
  const linkedin = text.length;
  return {
    x: countX(text, rules),
    bluesky: {
      length: bluesky,
      limit: limits.bluesky,
      valid: bluesky > 0 && bluesky <= limits.bluesky && utf8Length(text) <= rules.data.bluesky_max_bytes,
    },
    mastodon: { length: mastodon, limit: mastodonLimit, valid: mastodon > 0 && mastodon <= mastodonLimit },
    threads: { length: threads, limit: limits.threads, valid: threads > 0 && threads <= limits.threads },
    linkedin: { length: linkedin, limit: limits.linkedin, valid: linkedin > 0 && linkedin <= limits.linkedin },
  };
}
