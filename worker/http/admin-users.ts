/**
 * Admin API for users: list, create (invite), change (profile, roles, teams, disabled) and set a
 * password. Every change is one batch with its audit row. Disabling ends the user's sessions in the
 * same batch; an admin can neither disable themselves nor drop their own admin role, so the caller
 * always remains an enabled admin.
 */
import { Hono, type Context } from "hono";
import { isTimeZone } from "../../lib/zoned-time";
import type { AppEnv } from "../env";
import { AppError, invalid, notFound, type FieldError } from "../errors";
import { requireAdmin } from "../access";
import { missingRoles } from "../access/roles";
import { resolveTeams } from "../access/teams";
import { auditRow, checkInput, checkQuery, intParam, type AdminContext } from "../audit/log";
import { runBatch } from "../db/batch";
import { hashPassword } from "../auth/passwords";
import { passwordProblems } from "../auth/password-rules";
import {
  disableUser,
  findAdminUser,
  findUserByEmail,
  generatePassword,
  insertUser,
  listUsers,
  newUserId,
  normaliseEmail,
  replaceMemberships,
  setPassword,
  updateUser,
  type AdminUser,
  type UserChanges,
} from "../auth/users";
import { readJson } from "./body";
import { schemaContext } from "./context";

const ROLE_NAME = "^[a-z][a-z0-9_]{0,62}$";
const PROFILE = {
  name: { type: "string", minLength: 1, maxLength: 200, pattern: "\\S" },
  roles: { type: "array", maxItems: 50, uniqueItems: true, items: { type: "string", pattern: ROLE_NAME } },
  teams: {
    type: "array",
    maxItems: 100,
    items: {
      type: "object",
      additionalProperties: false,
      required: ["team"],
      properties: { team: { type: "string", minLength: 1, maxLength: 64 }, lead: { type: "boolean" } },
    },
  },
  locale: { enum: ["en", "zh-CN"] },
  timeZone: { type: "string", minLength: 1, maxLength: 64 },
};
// A password longer than the rules allow is still refused by them; this cap only bounds the work.
const PASSWORD = { type: "string", maxLength: 1024 };
const CREATE = {
  type: "object",
  additionalProperties: false,
  required: ["email", "name"],
  properties: { email: { type: "string", format: "email", maxLength: 320 }, ...PROFILE, password: PASSWORD },
};
const PATCH = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: { ...PROFILE, disabled: { type: "boolean" } },
};
const SET_PASSWORD = {
  type: "object",
  additionalProperties: false,
  required: ["password"],
  properties: { password: PASSWORD },
};

interface Profile {
  name?: string;
  roles?: string[];
  teams?: { team: string; lead?: boolean }[];
  locale?: string;
  timeZone?: string;
}
interface CreateInput extends Profile {
  email: string;
  name: string;
  password?: string;
}
interface PatchInput extends Profile {
  disabled?: boolean;
}

/** The checks a schema cannot make: roles exist, teams exist (resolved to ids), the time zone is real. */
async function checkProfile(db: D1Database, input: Profile): Promise<{ team: string; lead: boolean }[] | undefined> {
  const errors: FieldError[] = [];
  const missing = await missingRoles(db, input.roles ?? []);
  for (const r of missing)
    errors.push({ field: `roles/${input.roles!.indexOf(r)}`, code: "unknown_role", message: `No role ${r}` });
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone))
    errors.push({
      field: "timeZone",
      code: "unknown_time_zone",
      message: "Use an IANA time zone such as Asia/Shanghai",
    });
  if (errors.length) throw invalid(errors, "Unknown roles or time zone");
  if (!input.teams) return undefined;
  const ids = await resolveTeams(
    db,
    input.teams.map((t) => t.team),
    "teams",
  );
  return ids.map((team, i) => ({ team, lead: input.teams![i]!.lead === true }));
}

async function target(db: D1Database, id: string): Promise<AdminUser> {
  const user = await findAdminUser(db, id);
  if (!user) throw notFound(`User ${JSON.stringify(id.slice(0, 64))}`, "user");
  return user;
}

const selfConflict = (field: string, message: string) =>
  new AppError("conflict", message, [{ field, code: "self", message }]);
const teamsOf = (u: AdminUser) => u.teams.map((t) => ({ team: t.team, lead: t.lead }));
const summary = (u: AdminUser) => ({
  email: u.email,
  name: u.name,
  roles: u.roles,
  teams: teamsOf(u),
  locale: u.locale,
  timeZone: u.timeZone,
  disabled: u.disabled,
});

function adminContext(c: Context<AppEnv>, action: string): AdminContext {
  requireAdmin(c.get("principal"), action);
  return schemaContext(c);
}

export const adminUsers = new Hono<AppEnv>()
  .get("/", async (c) => {
    adminContext(c, "list users");
    checkQuery(c.req.query(), ["limit", "after"]);
    const limit = intParam(c.req.query("limit"), "limit", 200, 1, 1000);
    const users = await listUsers(c.env.DB, { limit: limit + 1, after: c.req.query("after") });
    const page = users.slice(0, limit);
    return c.json({ users: page, nextAfter: users.length > limit ? page[page.length - 1]!.email : null });
  })
  .post("/", async (c) => {
    const ctx = adminContext(c, "create users");
    const input = checkInput<CreateInput>(CREATE, await readJson(c), "The user is invalid");
    const teams = (await checkProfile(ctx.db, input)) ?? [];
    let generated: string | null = null;
    // A random password could, very rarely, contain the email's name or a common word: draw again.
    if (input.password === undefined)
      do generated = generatePassword();
      while (passwordProblems(generated, input.email).length);
    const password = input.password ?? generated!;
    const problems = passwordProblems(password, input.email);
    if (problems.length) throw invalid(problems, "The password does not meet the rules");
    if (await findUserByEmail(ctx.db, input.email)) {
      throw new AppError("conflict", "A user with this email already exists", [
        { field: "email", code: "duplicate", message: "A user with this email already exists" },
      ]);
    }
    const user = {
      id: newUserId(),
      email: normaliseEmail(input.email),
      name: input.name,
      roles: input.roles ?? [],
      locale: input.locale ?? "en",
      timeZone: input.timeZone ?? "UTC",
    };
    await runBatch(
      ctx.db,
      [
        insertUser(ctx.db, user, await hashPassword(password), ctx.at, input.timeZone !== undefined),
        ...(teams.length ? replaceMemberships(ctx.db, user.id, teams) : []),
        auditRow(ctx, "user.create", {
          target: user.id,
          after: {
            email: user.email,
            name: user.name,
            roles: user.roles,
            teams,
            locale: user.locale,
            timeZone: user.timeZone,
          },
        }),
      ],
      { what: "Creating the user" },
    );
    c.header("Cache-Control", "no-store");
    // The generated password is shown this once, for the admin to hand over; only its hash is kept.
    return c.json({ user: await target(ctx.db, user.id), ...(generated ? { password: generated } : {}) }, 201);
  })
  .get("/:id", async (c) => {
    adminContext(c, "view users");
    return c.json({ user: await target(c.env.DB, c.req.param("id")) });
  })
  .patch("/:id", async (c) => {
    const ctx = adminContext(c, "change users");
    const input = checkInput<PatchInput>(PATCH, await readJson(c), "The user change is invalid");
    const before = await target(ctx.db, c.req.param("id"));
    if (before.id === ctx.userId && input.disabled === true)
      throw selfConflict("disabled", "You cannot disable your own account");
    if (before.id === ctx.userId && input.roles && !input.roles.includes("admin"))
      throw selfConflict("roles", "You cannot remove your own admin role");
    const teams = await checkProfile(ctx.db, input);
    const changes: UserChanges = {
      name: input.name,
      roles: input.roles,
      locale: input.locale,
      timeZone: input.timeZone,
    };
    const disabling = input.disabled === true && !before.disabled;
    if (input.disabled === false) changes.disabled = false;
    const stmts = [updateUser(ctx.db, before.id, changes, ctx.at)];
    // Disabling also ends every session: refresh tokens revoked, older access tokens refused.
    if (disabling) stmts.push(...disableUser(ctx.db, before.id, ctx.at));
    if (teams) stmts.push(...replaceMemberships(ctx.db, before.id, teams));
    const next = {
      ...summary(before),
      ...Object.fromEntries(Object.entries(input).filter(([k]) => k !== "teams")),
      ...(teams ? { teams } : {}),
    };
    const was = summary(before) as Record<string, unknown>;
    const changed = Object.keys(next).filter(
      (k) => JSON.stringify(was[k]) !== JSON.stringify((next as Record<string, unknown>)[k]),
    );
    stmts.push(
      auditRow(ctx, "user.update", {
        target: before.id,
        before: Object.fromEntries(changed.map((k) => [k, was[k]])),
        after: Object.fromEntries(changed.map((k) => [k, (next as Record<string, unknown>)[k]])),
      }),
    );
    await runBatch(ctx.db, stmts, { what: "Changing the user" });
    return c.json({ user: await target(ctx.db, before.id) });
  })
  .post("/:id/password", async (c) => {
    const ctx = adminContext(c, "set passwords");
    const input = checkInput<{ password: string }>(SET_PASSWORD, await readJson(c), "The password is invalid");
    const user = await target(ctx.db, c.req.param("id"));
    const problems = passwordProblems(input.password, user.email);
    if (problems.length) throw invalid(problems, "The password does not meet the rules");
    await runBatch(
      ctx.db,
      [
        ...setPassword(ctx.db, user.id, await hashPassword(input.password), ctx.at),
        auditRow(ctx, "user.password", { target: user.id }),
      ],
      { what: "Setting the password" },
    );
    return c.json({ user: await target(ctx.db, user.id), sessionsEnded: true });
  });
