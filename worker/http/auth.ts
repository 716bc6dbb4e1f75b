import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError, invalid, type FieldError } from "../errors";
import { readJson } from "./body";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "../auth/tokens";
import { checkCredentials, findUserById } from "../auth/users";

// Limits keep a hostile body from costing PBKDF2 time or log space; no real credential is longer.
const LIMITS = { email: 320, password: 1024 } as const;

/** Strict: an object with exactly `email` and `password`, both non-empty strings. */
function parseLogin(body: unknown): { email: string; password: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid([{ field: "", code: "type", message: "The body must be a JSON object with email and password" }]);
  }
  const record = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(record)
    .filter((k) => !(k in LIMITS))
    .map((k) => ({ field: k, code: "unknown_property", message: `Unknown property "${k}"; only email and password are accepted` }));
  for (const field of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const value = record[field];
    if (value === undefined) errors.push({ field, code: "required", message: `${field} is required` });
    else if (typeof value !== "string") errors.push({ field, code: "type", message: `${field} must be a string` });
    else if (value.length === 0) errors.push({ field, code: "required", message: `${field} must not be empty` });
    else if (value.length > LIMITS[field]) errors.push({ field, code: "too_long", message: `${field} must be at most ${LIMITS[field]} characters` });
  }
  if (errors.length) throw invalid(errors);
  return { email: record.email as string, password: record.password as string };
}

export const auth = new Hono<AppEnv>()
  .post("/login", async (c) => {
    const { email, password } = parseLogin(await readJson(c));
    const user = await checkCredentials(c.env.DB, email, password);
    // One message for unknown email, wrong password and disabled account, so none can be probed.
    if (!user) throw new AppError("unauthenticated", "The email or password is incorrect");
    const token = await signAccessToken(c.env, user);
    c.header("Cache-Control", "no-store");
    return c.json({ token, tokenType: "Bearer", expiresIn: ACCESS_TOKEN_TTL_SECONDS, user });
  })
  .get("/me", async (c) => {
    // The principal was just verified against sg_users; re-read for locale and time zone it lacks.
    const account = await findUserById(c.env.DB, c.get("principal").userId);
    if (!account) throw new AppError("unauthenticated", "The token's user no longer exists");
    return c.json({ user: account.user });
  });
