/**
 * Local development only: `POST /api/dev/seed` creates the demo workspace (users and tables). Every
 * path here answers 404, exactly like an unknown route, unless env.DEV_SEED is "1" (set in .dev.vars
 * by `npm start`; never in production). No sign-in: it runs before the auth middleware.
 *
 * Protocol (scripts/start.mjs and scripts/seed-demo-data.mjs):
 * - `{}` (or no body): creates whatever demo users are missing, installs the sales plugins
 *   (customers, pipeline; an install is idempotent), creates the hand-made demo tables, then records
 *   sg_settings 'demo_seeded'. Once that is recorded a call creates nothing and says `seeded: false`.
 * - `{"step": "data-done"}`: records sg_settings 'demo_data_seeded' after the sample records were
 *   written. Until then every reply says `dataSeeded: false`, so a run that stopped half-way is
 *   redone on the next start (the data script first clears the demo tables' records).
 * Both reply `{seeded, dataSeeded, users: [{id, email, password, role, name}], tables}`.
 * `POST /api/dev/tick` with `{"at": "<RFC 3339>"}` runs one cron tick at that time (never earlier than
 * now): tests drive reminders with a controlled clock (wrangler dev's `/__scheduled` takes no time).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { AppError, invalid } from "../errors";
import { createUser, findUserByEmail } from "../auth/users";
import { DEMO_PLUGINS, DEMO_TABLES } from "../demo/schema";
import { DEMO_USERS } from "../demo/users";
import { createTable } from "../model/tables";
import { findTable, loadRegistry } from "../model/registry";
import { readJson } from "./body";
import { seedDemoAccess } from "../demo/access";
import { loadPrincipal } from "../auth/principal";
import { bundledPlugin } from "../plugins/catalog";
import { installPlugin } from "../plugins/install";
import { seedDemoCatalog } from "../demo/catalog";
import { runDueJobs } from "../plugins/jobs";
import { cronTick } from "../cron";

const SEEDED = "demo_seeded";
const DATA_SEEDED = "demo_data_seeded";
const ACCESS_SEEDED = "demo_access_seeded";
const CATALOG_SEEDED = "demo_catalog_seeded";

async function setting(db: D1Database, key: string): Promise<string | null> {
  const row = await db.prepare("SELECT value FROM sg_settings WHERE key = ?1").bind(key).first<{ value: string }>();
  return row?.value ?? null;
}

async function record(db: D1Database, key: string, value: string): Promise<void> {
  await db
    .prepare("INSERT INTO sg_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING")
    .bind(key, value)
    .run();
}

async function parseStep(c: Context<AppEnv>): Promise<"schema" | "data-done"> {
  const text = await c.req.text();
  if (text.trim() === "") return "schema";
  const body = await readJson(c);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid([{ field: "", code: "type", message: 'The body is a JSON object: {} or {"step": "data-done"}' }]);
  }
  const extra = Object.keys(body).filter((k) => k !== "step");
  if (extra.length)
    throw invalid(
      extra.map((k) => ({
        field: k.slice(0, 64),
        code: "unknown_key",
        message: `Unknown key ${JSON.stringify(k.slice(0, 64))}`,
      })),
    );
  const step = (body as { step?: unknown }).step ?? "schema";
  if (step !== "schema" && step !== "data-done")
    throw invalid([{ field: "step", code: "enum", message: 'step is "schema" or "data-done"' }]);
  return step;
}

/** The demo user for an email, creating it when missing (a concurrent creation counts as found). */
async function ensureUser(db: D1Database, u: (typeof DEMO_USERS)[number]): Promise<string> {
  const found = await findUserByEmail(db, u.email);
  if (found) return found.user.id;
  try {
    return (
      await createUser(db, {
        email: u.email,
        name: u.name,
        password: u.password,
        roles: [u.role],
        locale: u.locale,
        timeZone: u.timeZone,
      })
    ).id;
  } catch (err) {
    const again = err instanceof AppError && err.code === "conflict" ? await findUserByEmail(db, u.email) : null;
    if (again) return again.user.id;
    throw err;
  }
}

async function reply(c: Context<AppEnv>, seeded: boolean) {
  const db = c.env.DB;
  const users = await Promise.all(
    DEMO_USERS.map(async (u) => ({
      id: (await findUserByEmail(db, u.email))?.user.id ?? null,
      email: u.email,
      password: u.password,
      role: u.role,
      name: u.name,
    })),
  );
  const tables = [
    ...DEMO_PLUGINS.flatMap((p) => (bundledPlugin(p).manifest.tables ?? []).map((t) => t.name)),
    ...DEMO_TABLES.map((t) => t.name),
  ];
  return c.json({
    seeded,
    dataSeeded: (await setting(db, DATA_SEEDED)) !== null,
    users,
    plugins: DEMO_PLUGINS,
    tables,
  });
}

async function seedAccess(db: D1Database): Promise<void> {
  const ids = new Map<string, string>();
  for (const u of DEMO_USERS) ids.set(u.email, (await findUserByEmail(db, u.email))!.user.id);
  await seedDemoAccess(db, ids, new Date().toISOString());
  await record(db, ACCESS_SEEDED, new Date().toISOString());
}

/** The products plugin and the demo catalog, for a workspace seeded before they existed. */
async function seedCatalog(c: Context<AppEnv>): Promise<void> {
  const db = c.env.DB;
  const admin = DEMO_USERS.find((u) => u.role === "admin")!;
  const id = (await findUserByEmail(db, admin.email))!.user.id;
  const principal = (await loadPrincipal(db, id))!.principal;
  const ctx = { db, userId: id, requestId: c.get("requestId") ?? null, at: new Date().toISOString() };
  for (const name of DEMO_PLUGINS) await installPlugin(ctx, name, principal);
  await seedDemoCatalog(db, principal, ctx.requestId);
  await record(db, CATALOG_SEEDED, ctx.at);
}

export const dev = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    if (c.env.DEV_SEED !== "1")
      throw new AppError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
    c.header("Cache-Control", "no-store");
    return next();
  })
  // One cron tick at a controlled time ({"at": RFC 3339}, never earlier than now), for tests.
  .post("/tick", async (c) => {
    const body = await readJson(c);
    const at = body && typeof body === "object" && !Array.isArray(body) ? (body as { at?: unknown }).at : undefined;
    const extra = body && typeof body === "object" ? Object.keys(body).filter((k) => k !== "at") : [];
    const ms = typeof at === "string" ? Date.parse(at) : at === undefined ? Date.now() : NaN;
    if (!Number.isFinite(ms) || extra.length)
      throw invalid([
        { field: extra[0]?.slice(0, 64) ?? "at", code: "invalid", message: 'Send {"at": "<RFC 3339 time>"}' },
      ]);
    const now = new Date(Math.max(ms, Date.now()));
    await cronTick(c.env, now);
    return c.json({ ranAt: now.toISOString() });
  })
  .post("/seed", async (c) => {
    const db = c.env.DB;
    const step = await parseStep(c);
    if (step === "data-done") {
      if ((await setting(db, SEEDED)) === null)
        throw new AppError("conflict", "Seed the demo users and tables first (POST /api/dev/seed with {})");
      // What the first cron tick would do (local dev has no cron): e.g. the demo quotes past their date expire.
      await runDueJobs(db, new Date());
      await record(db, DATA_SEEDED, new Date().toISOString());
      return reply(c, false);
    }
    if ((await setting(db, SEEDED)) !== null) {
      // Workspaces seeded before grants existed get them on their next start.
      if ((await setting(db, ACCESS_SEEDED)) === null) await seedAccess(db);
      // ... and those seeded before the catalog existed get its plugin and products.
      if ((await setting(db, CATALOG_SEEDED)) === null) await seedCatalog(c);
      return reply(c, false);
    }
    // Idempotent step by step, so a call that failed half-way is completed by the next one.
    const ids = new Map<string, string>();
    for (const u of DEMO_USERS) ids.set(u.email, await ensureUser(db, u));
    const admin = DEMO_USERS.find((u) => u.role === "admin")!;
    const schemaCtx = () => ({
      db,
      userId: ids.get(admin.email)!,
      requestId: c.get("requestId") ?? null,
      at: new Date().toISOString(),
    });
    const principal = (await loadPrincipal(db, ids.get(admin.email)!))!.principal;
    for (const name of DEMO_PLUGINS) await installPlugin(schemaCtx(), name, principal);
    await seedDemoCatalog(db, principal, c.get("requestId") ?? null);
    for (const def of DEMO_TABLES) {
      if (findTable(await loadRegistry(db), def.name)) continue;
      await createTable(schemaCtx(), def);
    }
    await seedAccess(db);
    await record(db, CATALOG_SEEDED, new Date().toISOString());
    await record(db, SEEDED, new Date().toISOString());
    return reply(c, true);
  });
