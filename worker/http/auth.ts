/**
 * Sign-in and sessions. `/login` and `/refresh` are reached without an access token (`authOpen` is
 * mounted before requireAuth); `/logout`, `/password` and `/me` need one.
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { AppError, forbidden, invalid, type FieldError } from "../errors";
import { readJson } from "./body";
import { limitBody } from "./middleware";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "../auth/tokens";
import { checkCredentials, findUserById, setPassword, updateUser, type PublicUser } from "../auth/users";
import { parseProfile } from "../auth/profile";
import { auditRow } from "../audit/log";
import { hashPassword } from "../auth/passwords";
import { passwordProblems } from "../auth/password-rules";
import { reserveAttempt, successStatements } from "../auth/throttle";
import {
  REFRESH_TOKEN_TTL_SECONDS,
  endAllSessions,
  mintRefreshToken,
  newFamily,
  revokeOwnFamily,
  rotateRefreshToken,
} from "../auth/sessions";

// No credential is longer than these; the limits keep a hostile body from costing PBKDF2 time or log space.
const MAX_BODY_BYTES = 16 * 1024;
type Spec = Record<string, { type: "string" | "boolean"; required?: boolean; max?: number }>;
const LOGIN: Spec = {
  email: { type: "string", required: true, max: 320 },
  password: { type: "string", required: true, max: 1024 },
};
const REFRESH: Spec = { refreshToken: { type: "string", required: true, max: 512 } };
const LOGOUT: Spec = { refreshToken: { type: "string", max: 512 }, everywhere: { type: "boolean" } };
const PASSWORD: Spec = {
  current: { type: "string", required: true, max: 1024 },
  next: { type: "string", required: true, max: 1024 },
};

/** Strict: an object with only the spec's properties, each of its type; strings non-empty and bounded. */
function parseBody(body: unknown, spec: Spec): Record<string, unknown> {
  const names = Object.keys(spec).join(", ");
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid([{ field: "", code: "type", message: `The body must be a JSON object with ${names}` }]);
  }
  const record = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(record)
    .filter((k) => !Object.hasOwn(spec, k))
    .map((k) => ({
      field: k,
      code: "unknown_property",
      message: `Unknown property "${k}"; only ${names} are accepted`,
    }));
  for (const [field, rule] of Object.entries(spec)) {
    const value = record[field];
    if (value === undefined) {
      if (rule.required) errors.push({ field, code: "required", message: `${field} is required` });
    } else if (typeof value !== rule.type)
      errors.push({ field, code: "type", message: `${field} must be a ${rule.type}` });
    else if (value === "") errors.push({ field, code: "required", message: `${field} must not be empty` });
    else if (rule.max && (value as string).length > rule.max)
      errors.push({ field, code: "too_long", message: `${field} must be at most ${rule.max} characters` });
  }
  if (errors.length) throw invalid(errors);
  return record;
}

/** The reply of every call that starts or continues a session. */
async function sessionReply(c: Context<AppEnv>, user: PublicUser, refreshToken: string) {
  const token = await signAccessToken(c.env, user);
  c.header("Cache-Control", "no-store");
  return c.json({
    token,
    tokenType: "Bearer",
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    refreshToken,
    refreshExpiresIn: REFRESH_TOKEN_TTL_SECONDS,
    user,
  });
}

/** Embed tokens act for their creator on one view; they must not manage the creator's sessions. */
function requireOwnSession(c: Context<AppEnv>, action: string) {
  const principal = c.get("principal");
  if (principal.embed) throw forbidden(action, `An embed token may not ${action}`);
  return principal;
}

const clientHeader = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip");

/** The audit row of a session action, written in the same batch; `target` lets the audit log find it by user. */
const audit = (c: Context<AppEnv>, at: Date, userId: string, action: string) =>
  auditRow({ db: c.env.DB, userId, requestId: c.get("requestId") ?? null, at: at.toISOString() }, action, {
    target: userId,
  });

export const authOpen = new Hono<AppEnv>().use("*", limitBody(MAX_BODY_BYTES)).post("/refresh", async (c) => {
  const { refreshToken } = parseBody(await readJson(c), REFRESH) as { refreshToken: string };
  const rotated = await rotateRefreshToken(c.env.DB, refreshToken, new Date());
  const account = await findUserById(c.env.DB, rotated.userId);
  if (!account || account.disabled)
    throw new AppError("unauthenticated", "The account no longer exists or is disabled");
  return sessionReply(c, account.user, rotated.refreshToken);
});

export const auth = new Hono<AppEnv>()
  .use("*", limitBody(MAX_BODY_BYTES))
  .post("/login", async (c) => {
    const { email, password } = parseBody(await readJson(c), LOGIN) as { email: string; password: string };
    // Before the password check: a throttled attempt costs no PBKDF2 and learns nothing.
    const reservation = await reserveAttempt(c.env.DB, email, clientHeader(c));
    const user = await checkCredentials(c.env.DB, email, password);
    // One message for unknown email, wrong password and disabled account, so none can be probed.
    if (!user) throw new AppError("unauthenticated", "The email or password is incorrect");
    const refresh = await mintRefreshToken(c.env.DB, user.id, newFamily(), new Date());
    await c.env.DB.batch([...successStatements(c.env.DB, reservation), refresh.insert]);
    return sessionReply(c, user, refresh.token);
  })
  .post("/logout", async (c) => {
    const principal = requireOwnSession(c, "sign out");
    const body = parseBody(await readJson(c), LOGOUT) as { refreshToken?: string; everywhere?: boolean };
    if (body.refreshToken === undefined && body.everywhere !== true) {
      throw invalid([
        {
          field: "refreshToken",
          code: "required",
          message: "Send the refreshToken to end, or everywhere: true to end every session",
        },
      ]);
    }
    const at = new Date();
    if (body.everywhere) {
      await c.env.DB.batch([
        ...endAllSessions(c.env.DB, principal.userId, at),
        audit(c, at, principal.userId, "session.logout_all"),
      ]);
    } else {
      // Idempotent: an unknown, already revoked or someone else's token ends nothing and is not an error.
      await revokeOwnFamily(c.env.DB, principal.userId, body.refreshToken!, at);
    }
    return c.body(null, 204);
  })
  .post("/password", async (c) => {
    const principal = requireOwnSession(c, "change the password");
    const { current, next } = parseBody(await readJson(c), PASSWORD) as { current: string; next: string };
    const problems = passwordProblems(next, principal.email, "next");
    if (next === current)
      problems.push({ field: "next", code: "unchanged", message: "The new password must differ from the current one" });
    if (problems.length) throw invalid(problems, "The new password does not meet the password rules");
    // Throttled like sign-in, so a stolen access token cannot be used to guess the current password.
    const reservation = await reserveAttempt(c.env.DB, principal.email, clientHeader(c));
    const user = await checkCredentials(c.env.DB, principal.email, current);
    if (!user)
      throw new AppError("forbidden", "The current password is incorrect", [
        { field: "current", code: "incorrect", message: "The current password is incorrect" },
      ]);
    const hash = await hashPassword(next);
    const at = new Date();
    const refresh = await mintRefreshToken(c.env.DB, user.id, newFamily(), at);
    const db = c.env.DB;
    // Order matters: setPassword revokes every old refresh token before the caller's new one is stored.
    await db.batch([
      ...setPassword(db, user.id, hash, at.toISOString()),
      refresh.insert,
      ...successStatements(db, reservation),
      audit(c, at, user.id, "user.password"),
    ]);
    // Signed after the batch, so its iat is not before the sessions_valid_after just written.
    return sessionReply(c, user, refresh.token);
  })
  .get("/me", async (c) => {
    // The principal was just verified against sg_users; re-read for locale and time zone it lacks.
    const account = await findUserById(c.env.DB, c.get("principal").userId);
    if (!account) throw new AppError("unauthenticated", "The token's user no longer exists");
    return c.json({ user: account.user, timeZoneChosen: account.timeZoneChosen });
  })
  .patch("/me", async (c) => {
    // The user's own time zone and language (auth/profile.ts); audited like an admin's change of them.
    const principal = requireOwnSession(c, "change the profile");
    const changes = parseProfile(await readJson(c));
    const before = await findUserById(c.env.DB, principal.userId);
    if (!before) throw new AppError("unauthenticated", "The token's user no longer exists");
    const at = new Date().toISOString();
    const pick = (u: PublicUser) => Object.fromEntries(Object.keys(changes).map((k) => [k, u[k as keyof PublicUser]]));
    await c.env.DB.batch([
      updateUser(c.env.DB, principal.userId, changes, at),
      auditRow({ db: c.env.DB, userId: principal.userId, requestId: c.get("requestId") ?? null, at }, "user.profile", {
        target: principal.userId,
        before: pick(before.user),
        after: changes,
      }),
    ]);
    const account = await findUserById(c.env.DB, principal.userId);
    return c.json({ user: account!.user, timeZoneChosen: account!.timeZoneChosen });
  });
