/**
 * A user's webhook: where their notifications are POSTed (worker/notifications/webhooks-deliver.ts).
 * One per user, every statement bound to `user_id`. The signing secret is made here and returned only
 * by the call that made it (creation, rotation); reads never return it. The shapes it answers are
 * schemas/webhook.schema.json and webhook-attempt.schema.json.
 */
import type { Webhook, WebhookAttempt } from "../../schemas/types";
import { AppError, invalid, notFound, type FieldError } from "../errors";
import { deliverWebhooks, type DeliveryRun } from "./webhooks-deliver";

export const MAX_URL = 2000;

interface WebhookRow {
  url: string;
  enabled: number;
  secret: string;
  created_at: string;
  updated_at: string;
  secret_at: string;
}

const out = (r: WebhookRow): Webhook => ({
  url: r.url,
  enabled: r.enabled === 1,
  secretHint: `…${r.secret.slice(-4)}`,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  secretRotatedAt: r.secret_at,
});

/** `whsec_` and 64 hex digits (32 random bytes). */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The URL as stored, or the problem with it. https only; `allowLocal` (WEBHOOK_ALLOW_LOCAL="1", for
 * development and tests) also lets http and local hosts through. Without it, hosts that name this
 * machine, a private network or a cloud metadata service are refused by their literal form (a cheap
 * check: a public name that resolves to a private address is not caught here; Cloudflare's own
 * fetch does not reach private addresses).
 */
export function checkWebhookUrl(raw: string, allowLocal: boolean): { url: string } | { error: FieldError } {
  const bad = (code: string, message: string) => ({ error: { field: "url", code, message } });
  // The URL parser drops tabs and newlines silently: refuse them (and any control or space) instead.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f-\u009f]/.test(raw)) return bad("url", "The URL has spaces or control characters");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return bad("url", "Not a URL; write it in full, e.g. https://intranet.example.com/hooks/salesgrid");
  }
  if (u.protocol !== "https:" && !(allowLocal && u.protocol === "http:"))
    return bad("url_scheme", "The URL must start with https://");
  if (u.username || u.password) return bad("url_credentials", "Put no user name or password in the URL");
  if (!allowLocal && isLocalHost(u.hostname))
    return bad("url_host", "The URL names a local, private or metadata address; use the receiver's public name");
  u.hash = "";
  return { url: u.href };
}

const PRIVATE_V4: [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 (carrier-grade NAT)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
  [0xe0000000, 3], // multicast and reserved
];

function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "localhost" || /\.(localhost|local|internal|home\.arpa)$/.test(h)) return true;
  if (h.startsWith("[")) {
    // IPv6 literal (the parser writes it compressed, in brackets).
    const v6 = h.slice(1, -1);
    return (
      v6 === "::" ||
      v6 === "::1" ||
      /^f[cd]/.test(v6) || // unique local
      /^fe[89ab]/.test(v6) || // link-local
      v6.startsWith("::ffff:") || // IPv4-mapped
      v6.startsWith("64:ff9b:") // NAT64
    );
  }
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (!m) return false;
  const n = m.slice(1).reduce((a, p) => a * 256 + Number(p), 0);
  return PRIVATE_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

export async function getWebhook(db: D1Database, userId: string): Promise<Webhook | null> {
  const r = await db
    .prepare("SELECT url, enabled, secret, created_at, updated_at, secret_at FROM sg_webhooks WHERE user_id = ?1")
    .bind(userId)
    .first<WebhookRow>();
  return r ? out(r) : null;
}

/**
 * Creates or changes the user's webhook in one statement. The new secret is kept only when the row
 * was made by this call, so of two concurrent first puts exactly one makes the secret and shows it.
 */
export async function putWebhook(
  db: D1Database,
  userId: string,
  input: { url: string; enabled: boolean },
  appUrl: string,
  at: string,
): Promise<{ webhook: Webhook; secret: string | null }> {
  const secret = newSecret();
  const r = await db
    .prepare(
      `INSERT INTO sg_webhooks (user_id, url, enabled, secret, app_url, created_at, updated_at, secret_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6)
       ON CONFLICT (user_id) DO UPDATE SET url = excluded.url, enabled = excluded.enabled,
         app_url = excluded.app_url, updated_at = excluded.updated_at
       RETURNING url, enabled, secret, created_at, updated_at, secret_at`,
    )
    .bind(userId, input.url, input.enabled ? 1 : 0, secret, appUrl, at)
    .first<WebhookRow>();
  return { webhook: out(r!), secret: r!.secret === secret ? secret : null };
}

/** A new secret, returned this once; the old one stops signing at once. 404 without a webhook. */
export async function rotateSecret(
  db: D1Database,
  userId: string,
  at: string,
): Promise<{ webhook: Webhook; secret: string }> {
  const secret = newSecret();
  const r = await db
    .prepare(
      `UPDATE sg_webhooks SET secret = ?2, secret_at = ?3, updated_at = ?3 WHERE user_id = ?1
       RETURNING url, enabled, secret, created_at, updated_at, secret_at`,
    )
    .bind(userId, secret, at)
    .first<WebhookRow>();
  if (!r) throw notFound("Webhook");
  return { webhook: out(r), secret };
}

/** Removes the webhook, its waiting deliveries and its log, in one batch. 404 without a webhook. */
export async function deleteWebhook(db: D1Database, userId: string): Promise<void> {
  const [gone] = await db.batch([
    db.prepare("DELETE FROM sg_webhooks WHERE user_id = ?1").bind(userId),
    db.prepare("DELETE FROM sg_webhook_deliveries WHERE user_id = ?1").bind(userId),
    db.prepare("DELETE FROM sg_webhook_attempts WHERE user_id = ?1").bind(userId),
  ]);
  if (gone!.meta.changes === 0) throw notFound("Webhook");
}

/** The checked body of a PUT: 422 naming the URL's problem. */
export function webhookInput(body: { url: string; enabled?: boolean }, allowLocal: boolean) {
  const checked = checkWebhookUrl(body.url, allowLocal);
  if ("error" in checked) throw invalid([checked.error], checked.error.message);
  return { url: checked.url, enabled: body.enabled ?? true };
}

export const MAX_LOG_PAGE = 100;

/** The user's delivery log, newest first, keyset by id (`before`). */
export async function listAttempts(
  db: D1Database,
  userId: string,
  opts: { limit: number; before: number | null },
): Promise<{ attempts: WebhookAttempt[]; next: number | null }> {
  const rows = (
    await db
      .prepare(
        `SELECT id, delivery_id, notification_id, attempt, at, status, error, duration_ms, outcome, next_retry_at
         FROM sg_webhook_attempts WHERE user_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3`,
      )
      .bind(userId, opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit + 1)
      .all<{
        id: number;
        delivery_id: number;
        notification_id: number | null;
        attempt: number;
        at: string;
        status: number | null;
        error: string | null;
        duration_ms: number;
        outcome: WebhookAttempt["outcome"];
        next_retry_at: string | null;
      }>()
  ).results;
  const page = rows.slice(0, opts.limit);
  return {
    attempts: page.map((r) => ({
      id: r.id,
      deliveryId: r.delivery_id,
      notificationId: r.notification_id,
      attempt: r.attempt,
      at: r.at,
      status: r.status,
      error: r.error,
      durationMs: r.duration_ms,
      outcome: r.outcome,
      nextRetryAt: r.next_retry_at,
    })),
    next: rows.length > opts.limit ? page[page.length - 1]!.id : null,
  };
}

/**
 * A test ping: queued and sent at once (tried once), so the settings screen shows the receiver's
 * answer. 404 without a webhook, 409 when it is turned off.
 */
export async function sendPing(db: D1Database, userId: string, now: Date, timeoutMs?: number): Promise<DeliveryRun> {
  const at = now.toISOString();
  const row = await db
    .prepare(
      `INSERT INTO sg_webhook_deliveries (user_id, notification_id, run_at, created_at, updated_at)
       SELECT ?1, NULL, ?2, ?2, ?2 FROM sg_webhooks WHERE user_id = ?1 AND enabled = 1 RETURNING id`,
    )
    .bind(userId, at)
    .first<{ id: number }>();
  if (!row) {
    if (await getWebhook(db, userId))
      throw new AppError("conflict", "The webhook is turned off; turn it on to send a test", [
        { field: "enabled", code: "disabled", message: "The webhook is turned off" },
      ]);
    throw notFound("Webhook");
  }
  const [run] = await deliverWebhooks(db, now, { only: row.id, timeoutMs });
  // Another tick took it first (it was due at once): that tick sends it; report it as queued.
  return run ?? { id: row.id, user: userId, attempt: 0, outcome: "retry", status: null, error: null, nextRetryAt: at };
}
