/**
 * Delivering notifications to users' webhooks from the cron tick. A delivery row is queued by a
 * trigger on sg_notifications (migrations/0010), inside the notification's own statement and batch,
 * so only committed notifications are sent and none is lost.
 * The tick claims due deliveries in ONE `UPDATE ... RETURNING` with a claim token and a lease, so an
 * overlapping tick finds nothing to send; each is POSTed as signed JSON (webhooks-sign.ts) with a
 * timeout, without following redirects. 2xx: delivered. A network error, a timeout, 408, 429 or 5xx:
 * tried again after a backoff (1, 2, 4 ... minutes, at most an hour; a longer Retry-After is
 * honoured) up to MAX_ATTEMPTS, then failed. Any other answer: failed at once (the receiver refused
 * it). Every attempt is logged (sg_webhook_attempts) only while the claim holds. A tick that dies
 * mid-send leaves the delivery to be claimed again when the lease ends: a receiver that must never
 * act twice dedupes by `X-Salesgrid-Delivery`, which stays the same across attempts.
 * A notification about a record the user may no longer read is sent withheld, exactly as the bell
 * lists it (visible.ts): no title, body or record.
 */
import { loadPrincipal } from "../auth/principal";
import { randomId } from "../db/ids";
import { findTable, loadRegistry, type Registry } from "../model/registry";
import { recordsReadable } from "./visible";
import { signatureOf } from "./webhooks-sign";

export const MAX_ATTEMPTS = 8;
/** Deliveries a tick takes: each costs a fetch and a few D1 queries, well inside one invocation's limits. */
export const DEFAULT_CAP = 50;
export const PARALLEL = 10;
export const TIMEOUT_MS = 10_000;
/** Longer than a group of sends can take, so a live tick never loses its claim. */
export const LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 60 * 60_000;
const MAX_ERROR = 500;

/** Wait before the attempt after `attempts` failed ones: 1, 2, 4, ... minutes, at most an hour. */
export const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, 2 ** Math.max(0, attempts - 1) * 60_000);

export const CLAIM_SQL = `UPDATE sg_webhook_deliveries SET run_at = ?2, claim = ?3, attempts = attempts + 1, updated_at = ?1
  WHERE id IN (SELECT id FROM sg_webhook_deliveries WHERE state = 'queued' AND run_at <= ?1
    AND (?5 IS NULL OR id = ?5) ORDER BY run_at, id LIMIT ?4)
  RETURNING id, user_id, notification_id, attempts, claim`;

interface Claimed {
  id: number;
  user_id: string;
  notification_id: number | null;
  attempts: number;
  claim: string;
}

/** What a delivery needs, read for the whole claim in one statement. */
interface Context {
  id: number;
  url: string | null;
  enabled: number | null;
  secret: string | null;
  app_url: string | null;
  locale: string | null;
  disabled: number | null;
  nid: number | null;
  plugin: string | null;
  kind: string | null;
  title: string | null;
  body: string | null;
  table_id: string | null;
  record_id: number | null;
  created_at: string | null;
}

const CONTEXT_SQL = `SELECT d.id, w.url, w.enabled, w.secret, w.app_url, u.locale, u.disabled,
    n.id AS nid, n.plugin, n.kind, n.title, n.body, n.table_id, n.record_id, n.created_at
  FROM json_each(?1) j JOIN sg_webhook_deliveries d ON d.id = j.value
  LEFT JOIN sg_webhooks w ON w.user_id = d.user_id
  LEFT JOIN sg_users u ON u.id = d.user_id
  LEFT JOIN sg_notifications n ON n.id = d.notification_id`;

export interface DeliveryRun {
  id: number;
  user: string;
  attempt: number;
  outcome: "delivered" | "retry" | "failed" | "cancelled";
  status: number | null;
  error: string | null;
  nextRetryAt: string | null;
}

export interface DeliverOptions {
  cap?: number;
  timeoutMs?: number;
  /** Only this delivery (a test ping sent from the settings screen). */
  only?: number;
}

/** One tick: claims what is due, sends it PARALLEL at a time, logs each attempt. */
export async function deliverWebhooks(db: D1Database, now = new Date(), opts: DeliverOptions = {}) {
  const claimToken = randomId(16);
  const claimed = (
    await db
      .prepare(CLAIM_SQL)
      .bind(
        now.toISOString(),
        new Date(now.getTime() + LEASE_MS).toISOString(),
        claimToken,
        opts.cap ?? DEFAULT_CAP,
        opts.only ?? null,
      )
      .all<Claimed>()
  ).results.sort((a, b) => a.id - b.id);
  if (claimed.length === 0) return [];
  const contexts = new Map(
    (
      await db
        .prepare(CONTEXT_SQL)
        .bind(JSON.stringify(claimed.map((c) => c.id)))
        .all<Context>()
    ).results.map((r) => [r.id, r]),
  );
  const readable = await readableByUser(db, claimed, contexts);
  const runs: DeliveryRun[] = [];
  for (let i = 0; i < claimed.length; i += PARALLEL) {
    const group = claimed.slice(i, i + PARALLEL);
    const done = await Promise.all(
      group.map((c) => deliverOne(c, contexts.get(c.id), readable, now, opts.timeoutMs ?? TIMEOUT_MS)),
    );
    await db.batch(group.flatMap((c, j) => finishStatements(db, c, done[j]!)));
    runs.push(...done.map((d) => d.run));
  }
  return runs;
}

interface Readable {
  /** Per user, the records ("table/id") they may read now. */
  byUser: Map<string, Set<string>>;
  reg: Registry | null;
}

/** Per user of the claim: which of the records their notifications name they may read now. */
async function readableByUser(db: D1Database, claimed: Claimed[], contexts: Map<number, Context>): Promise<Readable> {
  const refs = new Map<string, { table: string; id: number }[]>();
  for (const c of claimed) {
    const x = contexts.get(c.id);
    if (x?.table_id && x.record_id !== null)
      refs.set(c.user_id, [...(refs.get(c.user_id) ?? []), { table: x.table_id, id: x.record_id }]);
  }
  const byUser = new Map<string, Set<string>>();
  if (refs.size === 0) return { byUser, reg: null };
  const reg = await loadRegistry(db);
  for (const [user, list] of refs) {
    const loaded = await loadPrincipal(db, user);
    byUser.set(user, loaded && !loaded.disabled ? await recordsReadable(db, reg, loaded.principal, list) : new Set());
  }
  return { byUser, reg };
}

interface Done {
  run: DeliveryRun;
  at: string;
  durationMs: number;
}

async function deliverOne(
  c: Claimed,
  x: Context | undefined,
  readable: Readable,
  now: Date,
  timeoutMs: number,
): Promise<Done> {
  const base = { id: c.id, user: c.user_id, attempt: c.attempts, status: null, error: null, nextRetryAt: null };
  const at = new Date().toISOString();
  // The webhook was turned off or removed, the user disabled, or the notification is gone: nothing to send.
  if (!x?.url || x.enabled !== 1 || x.disabled !== 0 || (c.notification_id !== null && x.nid === null))
    return { run: { ...base, outcome: "cancelled" }, at, durationMs: 0 };
  const body = JSON.stringify(payload(c, x, readable));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const started = Date.now();
  let status: number | null = null;
  let error: string | null = null;
  let retryAfterMs = 0;
  try {
    const res = await fetch(x.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Salesgrid-Webhook/1",
        "x-salesgrid-delivery": String(c.id),
        "x-salesgrid-attempt": String(c.attempts),
        "x-salesgrid-timestamp": timestamp,
        "x-salesgrid-signature": await signatureOf(x.secret!, timestamp, body),
      },
      body,
    });
    status = res.status;
    retryAfterMs = retryAfter(res.headers.get("retry-after"), now);
    await res.body?.cancel();
  } catch (err) {
    const e = err as Error;
    error = (
      e?.name === "TimeoutError"
        ? `No answer within ${timeoutMs / 1000} s`
        : `Network error: ${e?.message ?? String(err)}`
    ).slice(0, MAX_ERROR);
  }
  const durationMs = Date.now() - started;
  if (status !== null && status >= 200 && status < 300)
    return { run: { ...base, status, outcome: "delivered" }, at, durationMs };
  if (status !== null && status < 200) error = `Unexpected status ${status}`;
  if (status !== null && status >= 300 && status < 400) error = "Redirects are not followed; use the final URL";
  const transient = status === null || status === 408 || status === 429 || status >= 500;
  // A test ping is tried once: the person who sent it reads the answer at once.
  const max = c.notification_id === null ? 1 : MAX_ATTEMPTS;
  if (!transient || c.attempts >= max) return { run: { ...base, status, error, outcome: "failed" }, at, durationMs };
  const next = new Date(now.getTime() + Math.min(MAX_BACKOFF_MS, Math.max(backoffMs(c.attempts), retryAfterMs)));
  return { run: { ...base, status, error, outcome: "retry", nextRetryAt: next.toISOString() }, at, durationMs };
}

/** Retry-After as seconds or an HTTP date, in ms from `now` (0 when absent or unreadable). */
function retryAfter(raw: string | null, now: Date): number {
  if (!raw) return 0;
  if (/^\d{1,7}$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? 0 : Math.max(0, t - now.getTime());
}

function payload(c: Claimed, x: Context, readable: Readable) {
  const sentAt = new Date().toISOString();
  if (c.notification_id === null) return { type: "ping", deliveryId: c.id, sentAt };
  const language = x.locale === "zh-CN" ? "zh-CN" : "en";
  const about = x.table_id !== null && x.record_id !== null;
  const withheld = about && !readable.byUser.get(c.user_id)?.has(`${x.table_id}/${x.record_id}`);
  const pick = (json: string | null) => {
    try {
      const t = JSON.parse(json ?? "{}") as Record<string, string>;
      return t[language] ?? t.en ?? null;
    } catch {
      return null;
    }
  };
  // The table's name, as the app's links use it (a table the user reads exists in the registry).
  const tableName =
    about && !withheld ? (readable.reg && findTable(readable.reg, x.table_id!)?.name) || x.table_id : null;
  return {
    type: "notification",
    deliveryId: c.id,
    sentAt,
    notification: {
      id: x.nid,
      plugin: x.plugin,
      kind: x.kind,
      language,
      title: withheld ? null : pick(x.title),
      body: withheld ? null : pick(x.body),
      record: about && !withheld ? { table: tableName, id: x.record_id } : null,
      url:
        about && !withheld && x.app_url ? `${x.app_url}/#/t/${encodeURIComponent(tableName!)}/r/${x.record_id}` : null,
      withheld,
      createdAt: x.created_at,
    },
  };
}

/** The outcome, written only while this tick's claim holds; the log row only if it did. */
function finishStatements(db: D1Database, c: Claimed, d: Done): D1PreparedStatement[] {
  const r = d.run;
  const state = r.outcome === "retry" ? "queued" : r.outcome;
  const runAt = r.nextRetryAt ?? d.at;
  const update = db
    .prepare(
      "UPDATE sg_webhook_deliveries SET state = ?3, run_at = ?4, claim = NULL, updated_at = ?5 WHERE id = ?1 AND claim = ?2",
    )
    .bind(c.id, c.claim, state, runAt, d.at);
  if (r.outcome === "cancelled") return [update];
  const log = db
    .prepare(
      `INSERT INTO sg_webhook_attempts
         (delivery_id, user_id, notification_id, attempt, at, status, error, duration_ms, outcome, next_retry_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE changes() = 1`,
    )
    .bind(
      c.id,
      c.user_id,
      c.notification_id,
      c.attempts,
      d.at,
      r.status,
      r.error,
      d.durationMs,
      r.outcome,
      r.nextRetryAt,
    );
  return [update, log];
}

/** Housekeeping: the log and finished deliveries are kept 30 days, at most 1000 rows of each a tick. */
export async function deleteOldWebhookLog(db: D1Database, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - 30 * 24 * 60 * 60_000).toISOString();
  await db.batch([
    db
      .prepare(
        "DELETE FROM sg_webhook_attempts WHERE id IN (SELECT id FROM sg_webhook_attempts WHERE at < ?1 LIMIT 1000)",
      )
      .bind(cutoff),
    db
      .prepare(
        `DELETE FROM sg_webhook_deliveries WHERE id IN (SELECT id FROM sg_webhook_deliveries
           WHERE state IN ('delivered', 'failed', 'cancelled') AND run_at < ?1 LIMIT 1000)`,
      )
      .bind(cutoff),
  ]);
}
