/**
 * The user directory under /api/users, for every signed-in user (embed tokens are refused by the
 * sign-in middleware before this runs; embeds have GET /api/embed/users instead):
 * `?q=&limit=&cursor=` lists active users by name, `?ids=a,b` names the users a page already holds.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { checkQuery, intParam } from "../audit/log";
import { searchDirectory, usersByIds } from "../auth/directory";
import { badRequest } from "../errors";
import { decodeCursor, encodeCursor } from "../query/cursor";

export const MAX_DIRECTORY_LIMIT = 200;
export const MAX_USER_IDS = 100;
const MAX_Q = 100;
const USER_ID = /^usr_[a-z0-9]{12}$/;

/** One value per parameter: `?q=a&q=b` is ambiguous, so it is refused rather than half-read. */
export function singleValues(queries: Record<string, string[]>): void {
  for (const [k, v] of Object.entries(queries)) {
    if (v.length > 1) throw badRequest(k.slice(0, 64), `Send ${k.slice(0, 64)} once`, "repeated");
  }
}

/** `ids=usr_...,usr_...`: 1 to 100 user ids, duplicates dropped. */
export function parseUserIds(raw: string | undefined): string[] {
  const ids = [
    ...new Set(
      (raw ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (!ids.length) throw badRequest("ids", "ids lists user ids separated by commas", "required");
  if (ids.length > MAX_USER_IDS) throw badRequest("ids", `At most ${MAX_USER_IDS} user ids at a time`, "too_many");
  const bad = ids.find((id) => !USER_ID.test(id));
  if (bad !== undefined)
    throw badRequest(
      "ids",
      `${JSON.stringify(bad.slice(0, 64))} is not a user id (usr_ and 12 letters or digits)`,
      "format",
    );
  return ids;
}

function decodeDirectoryCursor(raw: string): { name: string; id: string } {
  const parsed = decodeCursor(raw, 1024);
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== "string" ||
    typeof parsed[1] !== "string" ||
    !USER_ID.test(parsed[1])
  ) {
    throw badRequest("cursor", "The cursor is not valid; start again without it", "invalid_cursor");
  }
  return { name: parsed[0], id: parsed[1] };
}

export const directory = new Hono<AppEnv>().get("/", async (c) => {
  const query = c.req.query();
  checkQuery(query, ["q", "limit", "cursor", "ids"]);
  singleValues(c.req.queries());
  if (query.ids !== undefined) {
    const other = ["q", "limit", "cursor"].find((k) => query[k] !== undefined);
    if (other) throw badRequest(other, `Send either ids or ${other}, not both`, "conflict");
    return c.json({ users: await usersByIds(c.env.DB, parseUserIds(query.ids)) });
  }
  const q = (query.q ?? "").trim();
  if (q.length > MAX_Q) throw badRequest("q", `Search text is at most ${MAX_Q} characters`, "too_long");
  const limit = intParam(query.limit, "limit", 50, 1, MAX_DIRECTORY_LIMIT);
  const after = query.cursor ? decodeDirectoryCursor(query.cursor) : null;
  const rows = await searchDirectory(c.env.DB, { prefix: q || null, limit: limit + 1, after });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return c.json({ users: page, nextCursor: rows.length > limit && last ? encodeCursor([last.name, last.id]) : null });
});
