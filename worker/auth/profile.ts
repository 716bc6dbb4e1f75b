/**
 * A user's own profile settings (PATCH /api/auth/me): their time zone and language, nothing else (a
 * role, a name or an email is the admins' to change). Strictly checked: a problem names the field.
 */
import { isTimeZone } from "../../lib/zoned-time";
import { invalid, type FieldError } from "../errors";

/** The languages the app speaks (the admin API's user schema lists the same). */
const LOCALES_SUPPORTED = ["en", "zh-CN"] as const;

export interface ProfileChanges {
  timeZone?: string;
  locale?: string;
}

export function parseProfile(body: unknown): ProfileChanges {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid([{ field: "", code: "type", message: "The body must be a JSON object with timeZone and/or locale" }]);
  const errors: FieldError[] = [];
  const input = body as Record<string, unknown>;
  for (const k of Object.keys(input))
    if (k !== "timeZone" && k !== "locale")
      errors.push({ field: k, code: "unknown_property", message: `Only timeZone and locale may be changed here` });
  if (input.timeZone !== undefined && (typeof input.timeZone !== "string" || !isTimeZone(input.timeZone)))
    errors.push({
      field: "timeZone",
      code: "unknown_time_zone",
      message: "Use an IANA time zone such as Asia/Shanghai",
    });
  if (input.locale !== undefined && !LOCALES_SUPPORTED.includes(input.locale as never))
    errors.push({
      field: "locale",
      code: "enum",
      message: `locale is one of ${LOCALES_SUPPORTED.join(", ")}`,
      params: { allowed: LOCALES_SUPPORTED.join(", ") },
    });
  if (Object.keys(input).length === 0)
    errors.push({ field: "", code: "required", message: "Send timeZone and/or locale" });
  if (errors.length) throw invalid(errors, "The profile change is not valid");
  return { timeZone: input.timeZone as string | undefined, locale: input.locale as string | undefined };
}
