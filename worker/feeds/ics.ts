/**
 * Feed events -> an RFC 5545 calendar, written by ical-generator: single instants in UTC, all-day
 * events as DATE, a recurring series as DTSTART;TZID with its RRULE and EXDATE and the zone's
 * VTIMEZONE (timezones-ical-library), overrides as events of the same UID with a RECURRENCE-ID.
 * Text goes through the library's escaping (commas, semicolons, backslashes, newlines), so a title
 * holding CRLF + "BEGIN:VEVENT" stays one line of one SUMMARY.
 */
import ical, { type ICalEvent } from "ical-generator";
import { RRule } from "rrule";
import { tzlib_get_ical_block } from "timezones-ical-library";
import { wallText, zonedDate } from "./wall-time";

export interface FeedEvent {
  uid: string;
  summary: string;
  /** An instant (ISO 8601 UTC), or `YYYY-MM-DD` when `allDay`. */
  start: string;
  /** Exclusive end in the same form; null when none. */
  end: string | null;
  allDay: boolean;
  /** Revision number (the record's version) and time (its updated_at). */
  sequence: number;
  modified: string;
  /** A series: the RRULE value, its zone and its removed occurrences' original starts. */
  rrule?: string;
  timeZone?: string;
  exdates?: string[];
  /** An override of a series occurrence: its original start (with the series' zone). */
  recurrenceId?: string;
}

export interface FeedCalendar {
  name: string;
  events: FeedEvent[];
  /** The window or the event count cut events off. */
  truncated: boolean;
}

/** A zone the VTIMEZONE data knows; a series in another is written in UTC. */
function vtimezone(zone: string): string | null {
  const block = tzlib_get_ical_block(zone);
  return Array.isArray(block) && typeof block[0] === "string" ? block[0] : null;
}
const zoneKnown = new Map<string, boolean>();
function knownZone(zone: string | undefined): string | null {
  if (!zone || zone === "UTC") return null;
  let ok = zoneKnown.get(zone);
  if (ok === undefined) zoneKnown.set(zone, (ok = vtimezone(zone) !== null));
  return ok ? zone : null;
}

/** An RRULE value that parses and holds nothing that could end its line; else null. */
export function cleanRrule(raw: string): string | null {
  const value = raw.replace(/^RRULE:/i, "");
  if (value.length > 500 || !/^[A-Z0-9=;,+-]+$/i.test(value) || !/(^|;)FREQ=/i.test(value)) return null;
  try {
    RRule.parseString(value);
  } catch {
    return null;
  }
  return value.toUpperCase();
}

/** Characters RFC 5545 TEXT may not hold (controls other than tab; newlines are escaped by the library). */
const isControl = (ch: string) => {
  const c = ch.charCodeAt(0);
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f;
};
const text = (s: string) => (/[^\t\n\r\x20-\x7e]/.test(s) ? [...s].filter((ch) => !isControl(ch)).join("") : s);

const dateOnly = (d: string) => new Date(`${d.slice(0, 10)}T00:00:00Z`);
const compact = (d: string) => d.slice(0, 10).replaceAll("-", "");
const utcText = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

function repeating(e: FeedEvent, zone: string | null, rrule: string): string {
  const lines = [`RRULE:${rrule}`];
  const ex = e.exdates ?? [];
  if (ex.length) {
    const values = e.allDay
      ? `;VALUE=DATE:${ex.map(compact).join(",")}`
      : zone
        ? `;TZID=${zone}:${ex.map((x) => wallText(new Date(x), zone)).join(",")}`
        : `:${ex.map(utcText).join(",")}`;
    lines.push(`EXDATE${values}`);
  }
  return lines.join("\n");
}

/**
 * RFC 5545 3.1 folding: lines longer than 75 octets go on in continuation lines starting with a space,
 * never inside a UTF-8 character. The library's own fold encodes every character with a new
 * TextEncoder, which costs seconds for a feed of thousands of events in a Worker; this counts octets
 * from the code points and leaves short lines (nearly all) as they are.
 */
export function foldLines(text: string): string {
  const out: string[] = [];
  for (const line of text.split("\r\n")) {
    if (line.length <= 75 && !/[\u0080-\uffff]/.test(line)) {
      out.push(line);
      continue;
    }
    let folded = "";
    let octets = 0;
    for (const ch of line) {
      const cp = ch.codePointAt(0)!;
      const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (octets + size > 75) {
        folded += "\r\n ";
        octets = 1;
      }
      folded += ch;
      octets += size;
    }
    out.push(folded);
  }
  return out.join("\r\n");
}

export function buildCalendar(feed: FeedCalendar): string {
  const head = ical({
    prodId: { company: "Salesgrid", product: "Salesgrid feeds", language: "EN" },
    ttl: 60 * 60,
  });
  head.x("X-WR-CALNAME", text(feed.name));
  if (feed.truncated) head.x("X-SALESGRID-TRUNCATED", "TRUE");
  // Events are written one by one (event.toString) and folded here; the calendar that holds them is
  // never written whole (see foldLines). Its zone name stays empty: stamps and single instants are UTC.
  const body = ical();
  const zones = new Set<string>();
  const events: string[] = [];
  for (const e of feed.events) {
    const rrule = e.rrule ? cleanRrule(e.rrule) : null;
    // Only series and their overrides carry a zone; single instants are UTC.
    const zone = !e.allDay && (rrule || e.recurrenceId) ? knownZone(e.timeZone) : null;
    if (zone) zones.add(zone);
    const when = (v: string) => (e.allDay ? dateOnly(v) : zone ? zonedDate(new Date(v)) : new Date(v));
    const modified = new Date(e.modified);
    const event: ICalEvent = body.createEvent({
      id: e.uid,
      sequence: e.sequence,
      stamp: modified,
      lastModified: modified,
      start: when(e.start),
      end: e.end ? when(e.end) : null,
      allDay: e.allDay,
      timezone: zone,
      summary: text(e.summary),
      repeating: rrule ? repeating(e, zone, rrule) : null,
      recurrenceId: e.recurrenceId ? when(e.recurrenceId) : null,
    });
    let written = event.toString();
    // The library writes RECURRENCE-ID as a DATE-TIME; an all-day series needs a DATE (RFC 5545
    // 3.8.4.4: the same value type as DTSTART).
    if (e.allDay && e.recurrenceId)
      written = written.replace(/\r\nRECURRENCE-ID:(\d{8})T000000Z\r\n/, "\r\nRECURRENCE-ID;VALUE=DATE:$1\r\n");
    events.push(written);
  }
  const calendar = head.toString().replace(/END:VCALENDAR$/, "");
  const timezones = [...zones].map((z) => vtimezone(z)!.replace(/\r?\n/g, "\r\n").trim() + "\r\n");
  return calendar + timezones.join("") + foldLines(events.join("")) + "END:VCALENDAR";
}
