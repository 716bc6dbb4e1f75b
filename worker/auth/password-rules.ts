/**
 * Password rules, checked wherever a password is set: long enough to resist guessing (NIST 800-63B
 * favours length over composition), not absurdly long (PBKDF2 cost), not the email or a common word.
 */
import type { FieldError } from "../errors";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;
const COMMON = ["password", "12345678", "qwertyui", "salesgrid", "iloveyou", "admin123", "welcome1", "11111111"];

export function passwordProblems(password: unknown, email: string, field = "password"): FieldError[] {
  if (typeof password !== "string") return [{ field, code: "type", message: "The password is a string" }];
  const out: FieldError[] = [];
  if ([...password].length < MIN_PASSWORD_LENGTH)
    out.push({ field, code: "too_short", message: `Use at least ${MIN_PASSWORD_LENGTH} characters` });
  if (password.length > MAX_PASSWORD_LENGTH)
    out.push({ field, code: "too_long", message: `Use at most ${MAX_PASSWORD_LENGTH} characters` });
  const lower = password.toLowerCase();
  const local = email.split("@")[0]?.toLowerCase() ?? "";
  if (local.length >= 4 && lower.includes(local))
    out.push({ field, code: "contains_email", message: "The password must not contain your email name" });
  if (COMMON.some((w) => lower.includes(w)))
    out.push({ field, code: "too_common", message: "The password contains a commonly used word or sequence" });
  if (new Set(password).size < 4) out.push({ field, code: "too_simple", message: "Use more different characters" });
  return out;
}
