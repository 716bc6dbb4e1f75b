/**
 * GET /api/admin/jobs: plugins' one-off jobs for admins, by state (failed by default, with the last
 * error of each), the latest first, keyset paged.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireAdmin } from "../access";
import { checkQuery, intParam } from "../audit/log";
import { badRequest } from "../errors";
import { JOB_STATES, listJobs, type JobState } from "../jobs/list";
import { decodeCursor, encodeCursor } from "../query/cursor";
import { singleValues } from "./directory";

export const MAX_JOBS_PAGE = 200;

function parseState(raw: string | undefined): JobState {
  if (raw === undefined) return "failed";
  if ((JOB_STATES as readonly string[]).includes(raw)) return raw as JobState;
  throw badRequest("state", `state is one of ${JOB_STATES.join(", ")}`, "enum");
}

function parseCursor(raw: string | undefined): [string, number] | null {
  if (raw === undefined) return null;
  const v = decodeCursor(raw, 256);
  if (
    !Array.isArray(v) ||
    v.length !== 2 ||
    typeof v[0] !== "string" ||
    v[0].length > 40 ||
    !Number.isSafeInteger(v[1]) ||
    (v[1] as number) < 1
  )
    throw badRequest("cursor", "The cursor is not valid; start again without it", "invalid_cursor");
  return [v[0], v[1] as number];
}

export const adminJobs = new Hono<AppEnv>().get("/", async (c) => {
  requireAdmin(c.get("principal"), "list plugin jobs");
  const query = c.req.query();
  checkQuery(query, ["state", "plugin", "limit", "cursor"]);
  singleValues(c.req.queries());
  if (query.plugin !== undefined && !/^[a-z][a-z0-9_-]{0,39}$/.test(query.plugin))
    throw badRequest("plugin", "plugin is a plugin name (lower-case letters, digits, - and _)", "format");
  const page = await listJobs(c.env.DB, {
    state: parseState(query.state),
    plugin: query.plugin ?? null,
    limit: intParam(query.limit, "limit", 50, 1, MAX_JOBS_PAGE),
    after: parseCursor(query.cursor),
  });
  return c.json({ jobs: page.jobs, nextCursor: page.next ? encodeCursor(page.next) : null });
});
