/**
 * /api/notifications/webhook: the secret is shown once (creation, rotation) and never read back;
 * only https URLs to a public host; every endpoint refuses wrong types, unknown fields and parameters,
 * oversize bodies and injection-shaped values with a problem naming the field; one user never sees
 * another's webhook or log; concurrent first puts make exactly one secret.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import worker from "../../main";
import { checkWebhookUrl } from "../../worker/notifications/webhooks";
import webhookSchema from "../../schemas/webhook.schema.json";
import attemptSchema from "../../schemas/webhook-attempt.schema.json";
import pingSchema from "../../schemas/webhook-ping.schema.json";
import { api, userWithToken } from "./helpers";
import { expectReplyShape } from "./reply-schema";
import { signedIn } from "./plugins-fixture";

const receiver = inject("webhookReceiver");
const PATH = "/notifications/webhook";
const hookUrl = () => `${receiver}/hook/${crypto.randomUUID()}`;

/** Calls the Worker as production runs it: without WEBHOOK_ALLOW_LOCAL. */
async function asProduction(token: string, method: string, path: string, body: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://x/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { ...env, WEBHOOK_ALLOW_LOCAL: "" } as never,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return {
    status: res.status,
    body: (await res.json()) as { code: string; errors: { field: string; code: string }[] },
  };
}

describe("the settings", () => {
  it("shows the secret once at creation and rotation, never on a read, and removes everything on delete", async () => {
    const u = await signedIn([]);
    expect((await u.client.get(PATH)).body).toEqual({ webhook: null });

    const url = hookUrl();
    const created = await u.client.request("PUT", PATH, { url });
    expect(created.status, created.text).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(created.body.webhook).toMatchObject({ url, enabled: true, secretHint: `…${created.body.secret.slice(-4)}` });

    const read = await u.client.get(PATH);
    expect(read.status).toBe(200);
    expect(read.body.webhook).toMatchObject({ url, enabled: true });
    expect(read.text).not.toContain(created.body.secret);
    expect(read.text).not.toContain(created.body.secret.slice(6, 30));

    const changed = await u.client.request("PUT", PATH, { url, enabled: false });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toEqual({ webhook: expect.objectContaining({ enabled: false }) });
    expect(changed.text).not.toContain(created.body.secret);

    const rotated = await u.client.post(`${PATH}/rotate`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect((await u.client.get(PATH)).text).not.toContain(rotated.body.secret);

    // Turned off: a test ping is refused, naming the setting.
    const off = await u.client.post(`${PATH}/test`, {});
    expect(off.status).toBe(409);
    expect(off.body.errors[0].field).toBe("enabled");

    expect((await u.client.delete(PATH)).status).toBe(204);
    expect((await u.client.get(PATH)).body).toEqual({ webhook: null });
    for (const [method, path] of [
      ["DELETE", PATH],
      ["POST", `${PATH}/rotate`],
      ["POST", `${PATH}/test`],
    ] as const) {
      const r = await u.client.request(method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });

  it("answers the webhook, the ping and the log in the shapes of schemas/webhook*.schema.json", async () => {
    const u = await signedIn([]);
    const created = await u.client.request("PUT", PATH, { url: hookUrl() });
    const changed = await u.client.request("PUT", PATH, { url: hookUrl(), enabled: true });
    const read = await u.client.get(PATH);
    const rotated = await u.client.post(`${PATH}/rotate`);
    for (const [what, res] of Object.entries({ created, changed, read, rotated })) {
      expect(res.status, res.text).toBeLessThan(300);
      expectReplyShape(webhookSchema, res.body.webhook, what);
    }
    const ping = await u.client.post(`${PATH}/test`);
    expect(ping.status, ping.text).toBe(200);
    expectReplyShape(pingSchema, ping.body, "ping");
    const log = await u.client.get(`${PATH}/deliveries`);
    expect(log.body.attempts).toHaveLength(1);
    for (const a of log.body.attempts) expectReplyShape(attemptSchema, a, "attempt");
  });

  it("of two concurrent first puts exactly one makes the secret; the other changes the same webhook", async () => {
    const u = await signedIn([]);
    const urls = Array.from({ length: 5 }, hookUrl);
    const rs = await Promise.all(urls.map((url) => u.client.request("PUT", PATH, { url })));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const made = rs.find((r) => r.status === 201)!;
    expect(rs.filter((r) => r.body.secret)).toHaveLength(1);
    const now = (await u.client.get(PATH)).body.webhook;
    expect(urls).toContain(now.url);
    expect(now.secretHint).toBe(`…${made.body.secret.slice(-4)}`);
  });
});

describe("concurrent calls", () => {
  it("rotations at once each answer a secret and the last one stored signs; deletes at once remove it once", async () => {
    const u = await signedIn([]);
    const box = crypto.randomUUID();
    expect((await u.client.request("PUT", PATH, { url: `${receiver}/hook/${box}` })).status).toBe(201);
    const rs = await Promise.all([1, 2, 3, 4].map(() => u.client.post(`${PATH}/rotate`)));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const secrets = rs.map((r) => r.body.secret as string);
    expect(new Set(secrets).size).toBe(4);
    // The stored one is one of those answered: the receiver, told each in turn, verifies exactly one.
    const row = await env.DB.prepare("SELECT secret FROM sg_webhooks WHERE user_id = ?1").bind(u.id).first("secret");
    const stored = secrets.filter((x) => x === row);
    expect(stored).toHaveLength(1);
    await fetch(`${receiver}/plan/${box}`, { method: "PUT", body: JSON.stringify({ secret: stored[0] }) });
    expect((await u.client.post(`${PATH}/test`)).body.outcome).toBe("delivered");
    const got = (await (await fetch(`${receiver}/received/${box}`)).json()) as { signatureValid: boolean }[];
    expect(got.map((g) => g.signatureValid)).toEqual([true]);

    const dels = await Promise.all([1, 2, 3].map(() => u.client.delete(PATH)));
    expect(dels.map((r) => r.status).sort()).toEqual([204, 404, 404]);
    expect((await u.client.get(PATH)).body).toEqual({ webhook: null });
  });
});

describe("the URL", () => {
  it("refuses other schemes, credentials, spaces and control characters, and non-URLs, naming url", async () => {
    const u = await signedIn([]);
    const bad: [string, string][] = [
      ["javascript:alert(1)", "url_scheme"],
      ["file:///etc/passwd", "url_scheme"],
      ["data:text/plain,hi", "url_scheme"],
      ["ftp://example.com/x", "url_scheme"],
      ["ws://example.com/x", "url_scheme"],
      ["https://user:pw@example.com/hook", "url_credentials"],
      ["https://example.com/a b", "url"],
      ["https://example.com/\nx", "url"],
      ["https://exa\tmple.com/", "url"],
      ["not a url", "url"],
      ["/relative/path", "url"],
      ["https://", "url"],
      ["https://example.com/'); DROP TABLE sg_webhooks; --", "url"],
    ];
    for (const [url, code] of bad) {
      const r = await u.client.request("PUT", PATH, { url });
      expect(r.status, url).toBe(422);
      expect(r.body.code, url).toBe("validation_failed");
      expect(r.body.errors, url).toEqual([expect.objectContaining({ field: "url", code })]);
    }
    // SQL-shaped text inside an otherwise good URL is just a path, stored as written (encoded).
    const odd = await u.client.request("PUT", PATH, { url: "https://example.com/x?q=%27);DROP%20TABLE%20x;--" });
    expect(odd.status, odd.text).toBe(201);
    expect((await u.client.get(PATH)).body.webhook.url).toBe("https://example.com/x?q=%27);DROP%20TABLE%20x;--");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sg_webhooks").first("n")).toBeGreaterThan(0);
  });

  it("in production refuses http and local, private and metadata hosts; takes a public https one", async () => {
    const u = await userWithToken([]);
    const cases: [string, boolean][] = [
      ["http://example.com/hook", false],
      ["https://localhost/hook", false],
      ["https://app.localhost/hook", false],
      ["https://127.0.0.1/hook", false],
      ["https://127.1/hook", false],
      ["https://2130706433/hook", false],
      ["https://0x7f000001/hook", false],
      ["https://10.1.2.3/hook", false],
      ["https://172.20.0.1/hook", false],
      ["https://192.168.1.10/hook", false],
      ["https://169.254.169.254/latest/meta-data", false],
      ["https://100.64.0.1/", false],
      ["https://0.0.0.0/", false],
      ["https://[::1]/hook", false],
      ["https://[fd00::1]/hook", false],
      ["https://[fe80::1]/hook", false],
      ["https://[::ffff:127.0.0.1]/hook", false],
      ["https://metadata.google.internal/", false],
      ["https://printer.local/", false],
      ["https://hooks.example.com/salesgrid", true],
      ["https://8.8.8.8/hook", true],
      ["https://172.32.0.1/hook", true],
    ];
    for (const [url, ok] of cases) {
      const r = checkWebhookUrl(url, false);
      expect("url" in r, url).toBe(ok);
      if (!ok && "error" in r) expect(["url_host", "url_scheme"], url).toContain(r.error.code);
    }
    // Through the API as production runs it.
    const refused = await asProduction(u.token, "PUT", PATH, { url: "https://169.254.169.254/x" });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: "url", code: "url_host" });
    const plain = await asProduction(u.token, "PUT", PATH, { url: "http://hooks.example.com/x" });
    expect(plain.body.errors[0]).toMatchObject({ field: "url", code: "url_scheme" });
  });
});

describe("bad requests", () => {
  it("refuses wrong types, unknown fields, missing values, bad JSON and oversize bodies on PUT", async () => {
    const u = await signedIn([]);
    const cases: [unknown, string][] = [
      [{ url: 42 }, "url"],
      [{ url: null }, "url"],
      [{ url: ["https://example.com"] }, "url"],
      [{ url: "https://example.com", enabled: "yes" }, "enabled"],
      [{ url: "https://example.com", enabled: 1 }, "enabled"],
      [{ url: "https://example.com", secret: "mine" }, "secret"],
      [{ url: "https://example.com", user: "usr_aaaaaaaaaaaa" }, "user"],
      [{}, "url"],
      [{ url: "" }, "url"],
      [{ url: `https://example.com/${"a".repeat(2001)}` }, "url"],
      [[], ""],
      ["https://example.com", ""],
    ];
    for (const [body, field] of cases) {
      const r = await u.client.request("PUT", PATH, body === "https://example.com" ? JSON.stringify(body) : body);
      expect([400, 422], JSON.stringify(body)).toContain(r.status);
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      if (field) expect(JSON.stringify(r.body.errors), JSON.stringify(body)).toContain(field);
    }
    expect((await u.client.request("PUT", PATH, "{not json")).status).toBe(400);
    expect((await u.client.request("PUT", PATH, "")).status).toBe(400);
    const form = await u.client.request("PUT", PATH, "url=https://example.com", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(415);
    const lone = await u.client.request("PUT", PATH, '{"url":"https://example.com/\\ud800"}');
    expect(lone.status).toBe(422);
    const big = await u.client.request("PUT", PATH, { url: `https://example.com/${"a".repeat(9000)}` });
    expect(big.status).toBe(413);
    // Nothing was stored by any of them.
    expect((await u.client.get(PATH)).body).toEqual({ webhook: null });
  });

  it("refuses bodies on rotate and test, and unknown or repeated query parameters everywhere", async () => {
    const u = await signedIn([]);
    expect((await u.client.request("PUT", PATH, { url: hookUrl() })).status).toBe(201);
    for (const path of [`${PATH}/rotate`, `${PATH}/test`]) {
      const extra = await u.client.post(path, { force: true });
      expect(extra.status, path).toBe(422);
      expect(extra.body.errors[0].field).toBe("force");
      expect((await u.client.post(path, "[1]")).status, path).toBe(422);
      expect((await u.client.post(path, "nope")).status, path).toBe(400);
      expect((await u.client.post(path, { pad: "x".repeat(9000) })).status, path).toBe(413);
    }
    for (const [method, path] of [
      ["GET", `${PATH}?user=usr_aaaaaaaaaaaa`],
      ["PUT", `${PATH}?x=1`],
      ["DELETE", `${PATH}?x=1`],
      ["POST", `${PATH}/rotate?x=1`],
      ["POST", `${PATH}/test?x=1`],
      ["GET", `${PATH}/deliveries?user=usr_aaaaaaaaaaaa`],
      ["GET", `${PATH}/deliveries?limit=0`],
      ["GET", `${PATH}/deliveries?limit=101`],
      ["GET", `${PATH}/deliveries?limit=abc`],
      ["GET", `${PATH}/deliveries?limit=1&limit=2`],
      ["GET", `${PATH}/deliveries?cursor=garbage`],
      ["GET", `${PATH}/deliveries?cursor=%27%20OR%201%3D1`],
    ] as const) {
      const r = await u.client.request(method, path, method === "PUT" ? { url: hookUrl() } : undefined);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body.errors.length, path).toBeGreaterThan(0);
    }
    // Still the one created first, unchanged by the refused PUT.
    expect((await u.client.get(PATH)).body.webhook.enabled).toBe(true);
  });

  it("asks for a signed-in user on every endpoint", async () => {
    const anon = api();
    for (const [method, path] of [
      ["GET", PATH],
      ["PUT", PATH],
      ["DELETE", PATH],
      ["POST", `${PATH}/rotate`],
      ["POST", `${PATH}/test`],
      ["GET", `${PATH}/deliveries`],
    ] as const) {
      expect((await anon.request(method, path, method === "PUT" ? { url: hookUrl() } : undefined)).status).toBe(401);
    }
  });
});

describe("rights", () => {
  it("one user never sees nor changes another's webhook or delivery log", async () => {
    const a = await signedIn([]);
    const b = await signedIn(["admin"]);
    expect((await a.client.request("PUT", PATH, { url: hookUrl() })).status).toBe(201);
    const ping = await a.client.post(`${PATH}/test`);
    expect(ping.status, ping.text).toBe(200);
    expect((await a.client.get(`${PATH}/deliveries`)).body.attempts).toHaveLength(1);

    // Even an admin sees only their own (none), and cannot reach A's by any parameter.
    expect((await b.client.get(PATH)).body).toEqual({ webhook: null });
    expect((await b.client.get(`${PATH}/deliveries`)).body).toEqual({ attempts: [], nextCursor: null });
    expect((await b.client.get(`${PATH}/deliveries?user=${a.id}`)).status).toBe(400);
    expect((await b.client.delete(PATH)).status).toBe(404);
    expect((await b.client.post(`${PATH}/rotate`)).status).toBe(404);
    // A's is untouched.
    expect((await a.client.get(PATH)).body.webhook).not.toBeNull();
    expect((await a.client.get(`${PATH}/deliveries`)).body.attempts).toHaveLength(1);
  });

  it("pages the log newest first with a cursor", async () => {
    const u = await signedIn([]);
    expect((await u.client.request("PUT", PATH, { url: hookUrl() })).status).toBe(201);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await u.client.post(`${PATH}/test`)).body.deliveryId);
    const first = await u.client.get(`${PATH}/deliveries?limit=2`);
    expect(first.body.attempts.map((a: { deliveryId: number }) => a.deliveryId)).toEqual([ids[2], ids[1]]);
    expect(first.body.attempts[0]).toMatchObject({
      notificationId: null,
      attempt: 1,
      status: 200,
      outcome: "delivered",
    });
    const second = await u.client.get(`${PATH}/deliveries?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.attempts.map((a: { deliveryId: number }) => a.deliveryId)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
  });
});
