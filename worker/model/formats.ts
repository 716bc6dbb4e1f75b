/**
 * JSON Schema's "date" and "date-time" formats, checked by our own parsers (model/dates.ts) in every
 * validator: @cfworker/json-schema reads its formats from one shared table, which this replaces at
 * import, so schemas of records, filters, settings and plugin inputs all agree with the records path
 * (a leap second or the year 0050 passes the library's own check but cannot be stored).
 */
import { format } from "@cfworker/json-schema";
import { isDate, isDatetime, parseDate, parseDatetime, type DateResult } from "./dates";

format.date = isDate;
format["date-time"] = isDatetime;

/** The parser behind a format, when it is one of ours (their failures carry a code and params). */
export function dateParser(name: unknown): ((text: unknown) => DateResult) | null {
  return name === "date" ? parseDate : name === "date-time" ? parseDatetime : null;
}
