/**
 * `calendars.tasks`: how tasks appear on calendars and in feeds. A task is placed by its start (or,
 * without one, its due time); a recurring one yields every occurrence in the range, computed in its
 * assignee's time zone, with its exceptions applied (skipped ones gone, moved ones at their new time,
 * done ones marked). A never-ending series is bounded by the range; more than `limit` occurrences
 * are cut with `truncated`.
 */
import {
  and,
  cond,
  findByIds,
  or,
  userTimeZones,
  type CalendarOccurrence,
  type CalendarRecord,
  type CalendarSeries,
  type CalendarSource,
  type FoundRow,
  type Runtime,
  type TimeRange,
  type Values,
} from "../../worker/plugin-sdk";
import { wallAt, wallDate } from "../../lib/zoned-time";
import { exceptionsOf } from "./exceptions";
import { startsBetween, type Series } from "./recurrence";
import { DEFAULT_ZONE, durationMs, ms, seriesOf } from "./series";

const DAY = 86_400_000;
const dateIn = (t: number, zone: string) => wallDate(wallAt(t, zone));
const iso = (t: number) => new Date(t).toISOString();

/** Assignees' zones for these records; an assignee the caller may not read is looked up as the system. */
async function zonesFor(rt: Runtime, records: CalendarRecord[]): Promise<Map<number, string>> {
  const assignee = new Map<number, string | null>();
  const unknown = records.filter((r) => !("assignee" in r.values)).map((r) => r.id);
  for (const r of records) if ("assignee" in r.values) assignee.set(r.id, (r.values.assignee as string) ?? null);
  if (unknown.length)
    for (const row of await findByIds(rt, rt.table("tasks"), unknown, ["assignee"]))
      assignee.set(row.id, (row.values.assignee as string) ?? null);
  const zones = await userTimeZones(
    rt,
    [...assignee.values()].filter((x): x is string => !!x),
  );
  return new Map(records.map((r) => [r.id, zones.get(assignee.get(r.id) ?? "") ?? DEFAULT_ZONE]));
}

/** An occurrence placed at `start` ms (duration `dur`), in the form the contract wants. */
function placed(recordId: number, start: number, end: number | null, allDay: boolean, zone: string) {
  if (!allDay) return { recordId, start: iso(start), end: end !== null && end > start ? iso(end) : null, allDay };
  const first = dateIn(start, zone);
  const last = end !== null && end > start ? dateIn(end, zone) : first;
  return { recordId, start: first, end: dateIn(Date.parse(`${last}T12:00:00Z`) + DAY, "UTC"), allDay };
}

function exceptionValues(x: FoundRow): Values | undefined {
  if (x.values.state !== "done") return undefined;
  return { status: "done", done_at: x.values.done_at ?? null, ...(x.values.notes ? { notes: x.values.notes } : {}) };
}

/** The occurrences of one series in the range, exceptions applied. */
function seriesOccurrences(
  rec: CalendarRecord,
  s: Series,
  dur: number,
  exceptions: Map<string, FoundRow>,
  range: { from: number; to: number },
  limit: number,
): { out: CalendarOccurrence[]; truncated: boolean } {
  const { starts, truncated } = startsBetween(s, range.from, range.to, limit);
  const out: CalendarOccurrence[] = [];
  const seen = new Set<string>();
  for (const st of starts) {
    seen.add(st.key);
    const x = exceptions.get(st.key);
    if (x?.values.state === "skipped") continue;
    const moved = x ? ms(x.values.start_at) : null;
    if (moved !== null && (moved < range.from || moved >= range.to)) continue;
    const start = moved ?? st.ms;
    const end = x && moved !== null ? ms(x.values.end_at) : dur ? start + dur : null;
    const values = x ? exceptionValues(x) : undefined;
    out.push({ ...placed(rec.id, start, end, s.allDay, s.zone), occurrenceOf: st.key, ...(values ? { values } : {}) });
  }
  // Occurrences moved into the range from outside it.
  for (const [key, x] of exceptions) {
    const moved = ms(x.values.start_at);
    if (seen.has(key) || x.values.state === "skipped" || moved === null) continue;
    if (moved < range.from || moved >= range.to) continue;
    const values = exceptionValues(x);
    out.push({
      ...placed(rec.id, moved, ms(x.values.end_at), s.allDay, s.zone),
      occurrenceOf: key,
      ...(values ? { values } : {}),
    });
  }
  return { out, truncated };
}

async function occurrences(
  rt: Runtime,
  records: CalendarRecord[],
  range: TimeRange,
  limit: number,
): Promise<{ occurrences: CalendarOccurrence[]; truncated: boolean }> {
  const r = { from: Date.parse(range.from), to: Date.parse(range.to) };
  const zones = await zonesFor(rt, records);
  const series = new Map<number, Series>();
  for (const rec of records) {
    const s = seriesOf(rec.values, zones.get(rec.id)!);
    if (s) series.set(rec.id, s);
  }
  const exceptions = await exceptionsOf(rt, [...series.keys()]);
  const out: CalendarOccurrence[] = [];
  let truncated = false;
  for (const rec of records) {
    const zone = zones.get(rec.id)!;
    const s = series.get(rec.id);
    if (s) {
      const got = seriesOccurrences(rec, s, durationMs(rec.values), exceptions.get(rec.id) ?? new Map(), r, limit);
      truncated ||= got.truncated;
      out.push(...got.out);
      continue;
    }
    const start = ms(rec.values.start_at) ?? ms(rec.values.due_at);
    if (start === null || start < r.from || start >= r.to) continue;
    const end = ms(rec.values.start_at) !== null ? ms(rec.values.end_at) : null;
    out.push({ ...placed(rec.id, start, end, rec.values.all_day === true, zone), occurrenceOf: null });
  }
  out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.recordId - b.recordId));
  if (out.length > limit) return { occurrences: out.slice(0, limit), truncated: true };
  return { occurrences: out, truncated };
}

async function series(rt: Runtime, rec: CalendarRecord): Promise<CalendarSeries | null> {
  const zone = (await zonesFor(rt, [rec])).get(rec.id)!;
  const s = seriesOf(rec.values, zone);
  if (!s) return null;
  const exceptions = (await exceptionsOf(rt, [rec.id])).get(rec.id) ?? new Map<string, FoundRow>();
  const dur = durationMs(rec.values);
  const exdates: string[] = [];
  const overrides: CalendarOccurrence[] = [];
  for (const [key, x] of exceptions) {
    if (x.values.state === "skipped") {
      exdates.push(key);
      continue;
    }
    const moved = ms(x.values.start_at);
    const original = s.allDay ? Date.parse(`${key}T00:00:00Z`) : Date.parse(key);
    const start = moved ?? original;
    const end = moved !== null ? ms(x.values.end_at) : dur ? start + dur : null;
    const values = exceptionValues(x);
    overrides.push({ ...placed(rec.id, start, end, s.allDay, zone), occurrenceOf: key, ...(values ? { values } : {}) });
  }
  return {
    rrule: s.text,
    start: s.allDay ? dateIn(s.start, zone) : iso(s.start),
    durationMinutes: Math.round(dur / 60_000),
    allDay: s.allDay,
    timeZone: zone,
    exdates,
    overrides,
  };
}

export const tasksCalendar: CalendarSource = {
  fields: { start: "start_at", end: "end_at", title: "title", allDay: "all_day" },
  personal: (rt) => cond(rt.table("tasks"), "assignee", "eq", rt.principal.userId),
  candidates: (rt, range) => {
    const t = rt.table("tasks");
    return or(
      and(cond(t, "start_at", "is_empty"), cond(t, "due_at", "gte", range.from), cond(t, "due_at", "lt", range.to)),
      and(
        cond(t, "recurrence", "is_not_empty"),
        cond(t, "start_at", "lt", range.to),
        or(cond(t, "series_until", "is_empty"), cond(t, "series_until", "gte", range.from)),
      ),
    );
  },
  occurrences,
  series,
};
