/**
 * A SIGKILL of the server in the middle of a stream of order confirmations (issue 16): the app runs
 * under `wrangler dev` on a temporary data directory, confirmations stream in, the whole server
 * (wrangler and its workerd) is killed with SIGKILL while requests are in flight, and started again on
 * the same data. Every order must then be either confirmed with its reservation or still draft
 * without one, the level must hold exactly what the confirmed orders reserved, and verify must find
 * no difference: a confirmation is one D1 batch, whole or absent.
 *
 * wrangler dev serves a copy of the sources taken at the start (others edit this tree meanwhile and
 * wrangler would restart on their edits), with the project's node_modules linked in.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_USERS } from "../../worker/demo/users";

const root = path.join(import.meta.dirname, "..", "..");
const wrangler = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const ORDERS = 150;
const STOCK = 80;
const IN_FLIGHT = 8;
/** Answers seen before the kill: enough that the kill lands in the middle of the stream. */
const KILL_AFTER = 30;

const env = {
  ...process.env,
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

mkdirSync(path.join(root, "test-results"), { recursive: true });
const dir = mkdtempSync(path.join(root, "test-results", "inventory-kill-"));
const src = path.join(dir, "src");
const state = path.join(dir, "state");
const vars = path.join(dir, "test.vars");
let server: ChildProcess | null = null;

function snapshot(): void {
  for (const entry of [
    "wrangler.toml",
    "package.json",
    "tsconfig.json",
    "worker",
    "schemas",
    "migrations",
    "plugins",
    "main.ts",
    "lib",
  ])
    if (existsSync(path.join(root, entry))) cpSync(path.join(root, entry), path.join(src, entry), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(src, "node_modules"));
  const assets = /^\[assets\][^[]*?^directory\s*=\s*"([^"]+)"/m.exec(
    readFileSync(path.join(src, "wrangler.toml"), "utf8"),
  )?.[1];
  if (assets) mkdirSync(path.join(src, assets), { recursive: true });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** wrangler dev in a process group of its own (so one signal reaches workerd too); resolves when healthy. */
async function start(port: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      wrangler,
      "dev",
      "--config",
      path.join(src, "wrangler.toml"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      state,
      "--env-file",
      vars,
      "--show-interactive-dev-session=false",
      "--live-reload=false",
      "--log-level",
      "warn",
    ],
    { cwd: src, env, stdio: "ignore", detached: true },
  );
  server = child;
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return url;
    await sleep(250);
  }
  throw new Error("wrangler dev did not start within 150 s");
}

/** SIGKILL to the server's whole process group (wrangler and workerd), then wait until it is gone. */
async function kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  const child = server;
  server = null;
  if (!child?.pid) return;
  const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  await exited;
  // workerd is in the same group: wait until nothing of the group is left.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
}

afterAll(async () => {
  await kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

function client(url: string) {
  let token: string | null = null;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url}/api${p}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  const ok = async (method: string, p: string, body?: unknown) => {
    const r = await call(method, p, body);
    if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status}: ${r.text.slice(0, 400)}`);
    return r.body;
  };
  const signIn = async () => {
    const admin = DEMO_USERS.find((u) => u.role === "admin")!;
    token = (await ok("POST", "/auth/login", { email: admin.email, password: admin.password })).token;
  };
  return { call, ok, signIn };
}

describe("inventory under SIGKILL", () => {
  it("leaves every order confirmed with its reservation or draft without one, and the levels equal to the ledger", async () => {
    mkdirSync(state, { recursive: true });
    snapshot();
    writeFileSync(
      vars,
      `TOKEN_SECRET="inventory-kill-${Math.random().toString(36).slice(2)}-at-least-32-bytes"\nDEV_SEED="1"\n`,
    );
    const migrated = spawnSync(
      process.execPath,
      [
        wrangler,
        "d1",
        "migrations",
        "apply",
        "DB",
        "--local",
        "--persist-to",
        state,
        "--config",
        path.join(src, "wrangler.toml"),
      ],
      { cwd: src, env, encoding: "utf8" },
    );
    expect(migrated.status, migrated.stderr).toBe(0);

    const port = await freePort();
    let api = client(await start(port));
    await api.ok("POST", "/dev/seed", {});
    await api.signIn();
    const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await api.ok("PUT", "/admin/settings/rate-limits", { user: lift, client: lift, rows: lift });
    const w = (await api.ok("POST", "/tables/warehouses/records", { fields: { code: "K1", name: "Kill test" } })).record
      .id;
    const p = (
      await api.ok("POST", "/tables/products/records", {
        fields: {
          sku: "KILL-1",
          name: "Kill test product",
          track_stock: true,
          unit_price: { amount: 100, currency: "CNY" },
        },
      })
    ).record.id;
    await api.ok("POST", "/actions/inventory/receive", {
      product: p,
      warehouse: w,
      quantity: String(STOCK),
      unit_cost: { amount: 10 },
    });
    const c = (await api.ok("POST", "/tables/customers/records", { fields: { name: "Kill test customer" } })).record.id;
    const orders = (
      await api.ok("POST", "/tables/orders/records", {
        records: Array.from({ length: ORDERS }, () => ({ fields: { customer: [c], warehouse: [w] } })),
      })
    ).records as { id: number; version: number }[];
    await api.ok("POST", "/tables/order_lines/records", {
      records: orders.map((o) => ({ fields: { order: [o.id], product: [p], quantity: "1", position: 0 } })),
    });
    const versions = new Map<number, number>();
    for (const o of orders) versions.set(o.id, (await api.ok("GET", `/tables/orders/records/${o.id}`)).record.version);

    // The stream: IN_FLIGHT confirmations open at a time; the server is killed once KILL_AFTER have answered.
    const heard = new Map<number, number>();
    let next = 0;
    let killed: Promise<void> | null = null;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < orders.length && !killed) {
          const o = orders[next++]!;
          const r = await api
            .call("PATCH", `/tables/orders/records/${o.id}`, {
              version: versions.get(o.id),
              fields: { status: "confirmed" },
            })
            .catch(() => null);
          if (r) heard.set(o.id, r.status);
          if (heard.size >= KILL_AFTER && !killed) killed = kill("SIGKILL");
        }
      }),
    );
    await killed;
    const sent = next;
    expect(sent).toBeLessThan(ORDERS);
    expect([...heard.values()].every((s) => s === 200 || s === 409)).toBe(true);

    // Started again on the same data.
    api = client(await start(port));
    await api.signIn();
    const all = async (table: string, filter: unknown) => {
      const out: any[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ limit: "1000", filter: JSON.stringify(filter) });
        if (cursor) q.set("cursor", cursor);
        const page = await api.ok("GET", `/tables/${table}/records?${q}`);
        out.push(...page.records);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    const moves = await all("stock_moves", { field: "product", op: "eq", value: p });
    const reservedBy = new Map<number, number>();
    for (const m of moves.filter((m) => m.fields.kind === "reservation"))
      reservedBy.set(m.fields.order, (reservedBy.get(m.fields.order) ?? 0) + Number(m.fields.quantity));
    const status = new Map<number, string>(
      (await all("orders", { field: "warehouse", op: "contains", value: w })).map((o) => [o.id, o.fields.status]),
    );
    let confirmed = 0;
    for (const o of orders) {
      const s = status.get(o.id);
      expect(["confirmed", "draft"], `order ${o.id}`).toContain(s);
      if (s === "confirmed") {
        confirmed += 1;
        expect(reservedBy.get(o.id), `confirmed order ${o.id} holds one unit`).toBe(1);
      } else expect(reservedBy.get(o.id), `draft order ${o.id} holds nothing`).toBeUndefined();
      // What the client heard before the kill is what the database holds.
      if (heard.get(o.id) === 200) expect(s).toBe("confirmed");
    }
    expect(confirmed).toBeGreaterThan(0);
    expect(confirmed).toBeLessThanOrEqual(STOCK);
    const level = (await all("stock_levels", { field: "key", op: "eq", value: `${p}:${w}` }))[0].fields;
    expect(level).toMatchObject({
      on_hand: `${STOCK}.000`,
      reserved: `${confirmed}.000`,
      available: `${STOCK - confirmed}.000`,
    });
    expect((await api.ok("POST", "/actions/inventory/verify", {})).differences).toEqual([]);

    // And the stream goes on where it stopped: the rest confirm until the stock runs out, never beyond.
    for (const o of orders.slice(sent, sent + 5)) {
      const cur = (await api.ok("GET", `/tables/orders/records/${o.id}`)).record;
      const r = await api.call("PATCH", `/tables/orders/records/${o.id}`, {
        version: cur.version,
        fields: { status: "confirmed" },
      });
      expect([200, 409]).toContain(r.status);
    }
    expect((await api.ok("POST", "/actions/inventory/verify", {})).differences).toEqual([]);
  });
});
