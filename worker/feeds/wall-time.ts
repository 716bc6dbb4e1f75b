/**
 * An instant as ical-generator reads a date-fns TZDate: its `withTimeZone(zone)` answers the wall
 * clock in that zone (Intl), so `DTSTART;TZID=Asia/Shanghai:20260310T090000` is the zone's own time.
 * A plain Date would be read with the runtime's local getters (UTC in a Worker), giving UTC wall time
 * under a TZID.
 */
import type { ICalTZDateStub } from "ical-generator";
import { wallAt } from "../../lib/zoned-time";

/** The wall clock of `instant` in `zone`: [year, month 1-12, day, hour, minute, second]. */
export function wallClock(instant: Date, zone: string): [number, number, number, number, number, number] {
  const w = wallAt(instant.getTime(), zone);
  return [w.year, w.month, w.day, w.hour, w.minute, w.second];
}

/** `YYYYMMDDTHHMMSS` of `instant` in `zone` (EXDATE;TZID=... values). */
export function wallText(instant: Date, zone: string): string {
  const [y, mo, d, h, mi, s] = wallClock(instant, zone);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(y, 4)}${p(mo)}${p(d)}T${p(h)}${p(mi)}${p(s)}`;
}

/** The wall-clock getters answer the zone's time; the UTC ones (read first, then discarded) the instant's. */
class ZonedView extends Date {
  constructor(
    instant: Date,
    private readonly w: [number, number, number, number, number, number],
  ) {
    super(instant.getTime());
  }
  override getFullYear = () => this.w[0];
  override getMonth = () => this.w[1] - 1;
  override getDate = () => this.w[2];
  override getHours = () => this.w[3];
  override getMinutes = () => this.w[4];
  override getSeconds = () => this.w[5];
}

/** `instant`, which ical-generator formats as wall time in the event's TZID. */
export function zonedDate(instant: Date): ICalTZDateStub {
  const d = new Date(instant.getTime()) as ICalTZDateStub & { internal: Date; tzComponents(): unknown };
  d.internal = new Date(instant.getTime());
  d.tzComponents = () => ({});
  // The library only calls the wall-clock getters on what this returns.
  d.withTimeZone = (zone) =>
    (zone ? new ZonedView(instant, wallClock(instant, zone)) : new Date(instant.getTime())) as ICalTZDateStub;
  return d;
}
