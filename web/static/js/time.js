// Conference times. The API sends ISO 8601 local times with their offset
// ("2020-12-14T08:00:00+01:00"): we show that wall-clock time as is, never converted to the
// browser's zone, and label the conference's time zone.

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseLocal(iso) {
  const m = ISO.exec(String(iso || ""));
  if (!m) return null;
  return {
    date: `${m[1]}-${m[2]}-${m[3]}`,
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    time: m[4] === undefined ? null : `${m[4]}:${m[5]}`,
    offset: m[7] === "Z" ? "+00:00" : (m[7] || null),
  };
}

/** "08:00" from an ISO local time. */
export function clock(iso) {
  const p = parseLocal(iso);
  return p && p.time ? p.time : "";
}

/** "08:00–08:30" */
export function timeRange(start, end) {
  const a = clock(start);
  const b = clock(end);
  return b ? `${a}–${b}` : a;
}

/** The local date part, "2020-12-14". */
export function localDate(iso) {
  const p = parseLocal(iso);
  return p ? p.date : "";
}

function dateFromParts(p) {
  // A calendar date only: build it at UTC midnight and format it in UTC, so no zone shifts it.
  return new Date(Date.UTC(p.year, p.month - 1, p.day));
}

/** "Mon 14 Dec", "Monday 14 December 2020" (long) or "Mon 14" (tab) for a YYYY-MM-DD date. */
export function dayLabel(value, { long = false, tab = false } = {}) {
  const p = parseLocal(value);
  if (!p) return String(value || "");
  let options = { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" };
  if (long) options = { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };
  if (tab) options = { weekday: "short", day: "numeric", timeZone: "UTC" };
  return dateFromParts(p).toLocaleDateString(undefined, options);
}

/** "Mon 14 Dec, 10:00" for an ISO local date-time. */
export function dateTimeLabel(iso) {
  const p = parseLocal(iso);
  if (!p) return String(iso || "");
  return p.time ? `${dayLabel(p.date)}, ${p.time}` : dayLabel(p.date);
}

/** "UTC", or "Europe/Berlin (UTC+01:00)" when an example time carries a non-zero offset. */
export function zoneLabel(timezone, exampleIso) {
  const p = parseLocal(exampleIso);
  const zone = timezone || "UTC";
  if (!p || !p.offset) return zone;
  const offset = p.offset.includes(":") ? p.offset : `${p.offset.slice(0, 3)}:${p.offset.slice(3)}`;
  if (zone === "UTC" || zone === "Etc/UTC") return offset === "+00:00" ? "UTC" : `UTC${offset}`;
  return `${zone} (UTC${offset})`;
}

/** Today's date (YYYY-MM-DD) in the conference's zone. */
export function todayIn(timezone) {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone || "UTC", year: "numeric", month: "2-digit", day: "2-digit",
    }).formatToParts(new Date());
    const get = (type) => parts.find((x) => x.type === type).value;
    return `${get("year")}-${get("month")}-${get("day")}`;
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/** The wall-clock time ("YYYY-MM-DDTHH:MM") in `timezone` at the instant `ms`. */
export function wallClock(ms, timezone) {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone || "UTC", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date(ms));
    const get = (type) => parts.find((x) => x.type === type).value;
    return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`;
  } catch {
    return new Date(ms).toISOString().slice(0, 16);
  }
}

/** "+01:00": the offset of `timezone` from UTC at the instant `ms` ("Z" when unknown). */
function offsetAt(ms, timezone) {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: timezone, timeZoneName: "longOffset" })
      .formatToParts(new Date(ms));
    const name = (parts.find((p) => p.type === "timeZoneName") || {}).value || "";
    if (name === "GMT") return "+00:00";
    const m = /GMT([+-]\d\d:\d\d)/.exec(name);
    return m ? m[1] : "Z";
  } catch {
    return "Z"; // an unknown zone: UTC
  }
}

function offsetMinutes(offset) {
  if (offset === "Z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/**
 * "2026-11-30T15:00" (a datetime-local value) typed in the conference's zone -> ISO 8601 with
 * that zone's offset at that time ("2026-11-30T15:00:00+01:00").
 */
export function withOffset(value, timezone) {
  const asUtc = Date.parse(`${value}:00Z`);
  // The offset at the wall-clock time read as UTC, then again at the instant that gives:
  // right on both sides of a daylight saving change.
  let offset = offsetAt(asUtc, timezone);
  offset = offsetAt(asUtc - offsetMinutes(offset) * 60000, timezone);
  return `${value}:00${offset}`;
}
