/**
 * GET /api/feeds/<token>.ics: the token's active feed, read now as its reader (the owner, or the admin
 * who published the view): their current roles, row rules and hidden fields. Null for every token
 * that opens nothing (guessed, revoked, malformed, a disabled reader, a view gone or no longer theirs
 * to open), so the route answers each the same 404.
 */
import { loadRegistry } from "../model/registry";
import { loadView } from "../model/views";
import { buildCalendar } from "./ics";
import { personalFeed } from "./personal";
import { findFeed } from "./tokens";
import { viewFeed } from "./view-feed";
import { feedWindow } from "./window";

export async function serveFeed(db: D1Database, token: string, host: string, now = new Date()): Promise<string | null> {
  const found = await findFeed(db, token);
  if (!found?.reader || found.reader.disabled) return null;
  const reader = found.reader.principal;
  const reg = await loadRegistry(db);
  const w = feedWindow(now);
  const at = now.toISOString();
  if (found.feed.kind === "personal") return buildCalendar(await personalFeed(db, reg, reader, w, host, at));
  const view = found.feed.viewId ? await loadView(db, reg, found.feed.viewId) : null;
  if (!view) return null;
  const feed = await viewFeed(db, reg, reader, view, w, host, at);
  return feed ? buildCalendar(feed) : null;
}
