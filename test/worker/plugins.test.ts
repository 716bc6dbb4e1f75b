/**
 * The plugin system: the bundled manifests, the admin API (list, install, upgrade, enable, disable,
 * settings) and its bad input, idempotent install, upgrades that keep admins' changes, and
 * scheduled jobs.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import { bundledPlugin, bundledPlugins, manifestsByName } from "../../worker/plugins/catalog";
import { validateManifest } from "../../worker/plugins/manifest";
import type { PluginManifest } from "../../schemas/types";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSalesPlugins());
});

async function snapshot() {
  const q = async (sql: string) => (await env.DB.prepare(sql).all()).results;
  return {
    tables: await q("SELECT id, name, deleted_at, version FROM sg_tables ORDER BY id"),
    fields: await q("SELECT id, name, options, deleted_at, version FROM sg_fields ORDER BY id"),
    views: await q("SELECT id, name, definition, version FROM sg_views ORDER BY id"),
    grants: await q("SELECT role, table_id, ops, fields FROM sg_grants ORDER BY role, table_id"),
    plugins: await q("SELECT * FROM sg_plugins ORDER BY name"),
    objects: await q("SELECT * FROM sg_plugin_objects ORDER BY plugin, kind, key"),
    schemaVersion: await q("SELECT value FROM sg_settings WHERE key = 'schema_version'"),
  };
}

describe("bundled plugins", () => {
  it("have manifests that pass the schema and the cross checks", () => {
    for (const b of bundledPlugins()) expect(() => validateManifest(b.manifest, manifestsByName())).not.toThrow();
  });

  it("refuse a manifest that names tables it does not have", () => {
    const m = structuredClone(bundledPlugin("pipeline").manifest) as PluginManifest;
    m.views![0]!.table = "nowhere";
    m.tables![1]!.fields!.push({ name: "bad", type: "link", options: { table: "other/thing" } });
    try {
      validateManifest(m, manifestsByName());
      expect.unreachable();
    } catch (err: any) {
      expect(err.errors.map((e: any) => e.field)).toEqual(
        expect.arrayContaining(["views/0/table", `tables/1/fields/${m.tables![1]!.fields!.length - 1}/options/table`]),
      );
    }
    expect(() => validateManifest({ name: "x", version: "1", labels: { en: "x", "zh-CN": "x" } })).toThrow();
  });
});

describe("admin API", () => {
  it("lists the plugins with what is installed", async () => {
    const r = await admin.get("/admin/plugins");
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.plugins.map((p: any) => [p.name, p]));
    expect(byName.customers).toMatchObject({
      version: "1.0.0",
      installed: { version: "1.0.0", enabled: true },
      upgradeAvailable: false,
      labels: { "zh-CN": "客户管理" },
    });
    expect(byName.pipeline).toMatchObject({
      dependsOn: { customers: "1.0.0" },
      tables: ["pipelines", "deals", "deal_stage_history"],
      actions: ["stage-report"],
    });
    expect((await admin.get("/admin/plugins/pipeline")).body.plugin.name).toBe("pipeline");
  });

  it("installs twice as a no-op", async () => {
    const before = await snapshot();
    for (const name of ["customers", "pipeline"]) {
      const r = await admin.post(`/admin/plugins/${name}/install`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.report).toMatchObject({
        changed: false,
        created: { tables: [], fields: [], views: [], grants: [] },
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses non-admins, unknown plugins, bodies, oversize bodies and injection-shaped names", async () => {
    const rep = await signedIn(["sales_rep"]);
    for (const [method, path] of [
      ["GET", "/admin/plugins"],
      ["POST", "/admin/plugins/customers/install"],
      ["POST", "/admin/plugins/customers/disable"],
      ["PUT", "/admin/plugins/customers/settings"],
    ] as const) {
      const r = await rep.client.request(method, path, method === "PUT" ? {} : undefined);
      expect(r.status, path).toBe(403);
    }
    expect((await admin.post("/admin/plugins/nope/install")).status).toBe(404);
    const injected = await admin.post(`/admin/plugins/${encodeURIComponent("x'; DROP TABLE sg_plugins; --")}/install`);
    expect(injected.status).toBe(404);
    expect(
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_plugins").first<{ n: number }>())!.n,
    ).toBeGreaterThanOrEqual(2);
    const body = await admin.post("/admin/plugins/customers/install", { force: true });
    expect(body.status).toBe(422);
    expect(body.body.errors[0].field).toBe("force");
    expect((await admin.post("/admin/plugins/customers/enable", [1])).status).toBe(422);
    expect((await admin.post("/admin/plugins/customers/enable", "{")).status).toBe(400);
    expect(
      (await admin.request("PUT", "/admin/plugins/customers/settings", { gradeRule: "x".repeat(300 * 1024) })).status,
    ).toBe(413);
    expect((await admin.request("PUT", "/admin/plugins/customers/settings", "null")).status).toBe(422);
  });
});

describe("enable and disable", () => {
  it("hides a plugin's tables and the links into them, keeps the data, and brings it all back", async () => {
    const deal = (await admin.post("/tables/deals/records", { fields: { name: uniq("Kept") } })).body.record;
    const blocked = await admin.post("/admin/plugins/customers/disable");
    expect(blocked.status).toBe(409);
    expect(blocked.body.errors[0]).toMatchObject({ field: "plugin", code: "dependents" });
    const off = await admin.post("/admin/plugins/pipeline/disable");
    expect(off.status, off.text).toBe(200);
    expect(off.body).toEqual({ plugin: "pipeline", enabled: false, changed: true });
    expect((await admin.get(`/tables/deals/records/${deal.id}`)).status).toBe(404);
    expect((await admin.post("/actions/pipeline/stage-report", {})).status).toBe(409);
    const customers = (await admin.get("/meta/tables/customers")).body.table.fields.map((f: any) => f.name);
    expect(customers).not.toContain("deals");
    expect((await admin.get("/meta/tables/activities")).body.table.fields.map((f: any) => f.name)).not.toContain(
      "deal",
    );
    expect((await admin.post("/admin/plugins/pipeline/install")).status).toBe(409);
    expect((await admin.post("/admin/plugins/pipeline/disable")).body.changed).toBe(false);
    const on = await admin.post("/admin/plugins/pipeline/enable");
    expect(on.status, on.text).toBe(200);
    const back = await admin.get(`/tables/deals/records/${deal.id}`);
    expect(back.status).toBe(200);
    expect(back.body.record.fields.name).toBe(deal.fields.name);
    expect((await admin.get("/meta/tables/customers")).body.table.fields.map((f: any) => f.name)).toContain("deals");
  });
});

describe("upgrade", () => {
  it("adds the new version's fields, views and grant entries and keeps what admins changed", async () => {
    const m = bundledPlugin("customers").manifest as PluginManifest;
    const original = structuredClone(m);
    // Admin changes made on 1.0.0.
    const city = (await admin.get("/meta/tables/customers")).body.table.fields.find((f: any) => f.name === "city");
    expect(
      (await admin.patch(`/meta/tables/customers/fields/${city.id}`, { name: "town", label: "Town" })).status,
    ).toBe(200);
    expect((await admin.delete("/meta/tables/customers/fields/website")).status).toBe(200);
    expect((await admin.post("/meta/tables/customers/fields", { name: "vip_level", type: "rating" })).status).toBe(201);
    const views = (await admin.get("/meta/views?table=customers")).body.views;
    const aGrade = views.find((v: any) => v.name === "a_grade_customers");
    expect(
      (await admin.patch(`/meta/views/${aGrade.id}`, { version: aGrade.version, label: "Top customers" })).status,
    ).toBe(200);
    const myView = views.find((v: any) => v.name === "my_customers");
    expect((await admin.delete(`/meta/views/${myView.id}`)).status).toBe(200);
    const repGrant = { read: "own", create: "own", update: "own", delete: "own", defaultField: "write" };
    expect((await admin.request("PUT", "/admin/roles/sales_rep/grants/customers", repGrant)).status).toBe(200);
    try {
      // Version 1.1.0: a new field (hidden from warehouse), a new view, a changed label on an old field.
      m.version = "1.1.0";
      const t = m.tables!.find((x) => x.name === "customers")!;
      t.fields!.push({
        name: "credit_limit",
        type: "currency",
        label: "Credit limit",
        labels: { en: "Credit limit", "zh-CN": "信用额度" },
      });
      t.fields!.find((f) => f.name === "city")!.label = "City (new label)";
      m.views!.push({
        name: "by_credit",
        table: "customers",
        type: "grid",
        label: "By credit",
        fields: ["name", "credit_limit", "city"],
        sort: [{ field: "credit_limit", direction: "desc" }],
      });
      m.grants!.warehouse!.customers!.fields = { ...m.grants!.warehouse!.customers!.fields, credit_limit: "hidden" };
      m.grants!.sales_rep!.customers!.fields = { ...m.grants!.sales_rep!.customers!.fields, credit_limit: "read" };
      const r = await admin.post("/admin/plugins/customers/install");
      expect(r.status, r.text).toBe(200);
      expect(r.body.report).toMatchObject({
        from: "1.0.0",
        to: "1.1.0",
        changed: true,
        created: {
          tables: [],
          fields: ["customers/customers.credit_limit"],
          views: ["customers/customers.by_credit"],
          grants: [],
        },
      });
      const fields = (await admin.get("/meta/tables/customers")).body.table;
      const names = fields.fields.map((f: any) => f.name);
      expect(names).toEqual(expect.arrayContaining(["town", "vip_level", "credit_limit"]));
      expect(names).not.toContain("city");
      expect(names).not.toContain("website");
      expect(fields.fields.find((f: any) => f.name === "town").label).toBe("Town");
      const after = (await admin.get("/meta/views?table=customers")).body.views;
      expect(after.find((v: any) => v.name === "a_grade_customers").label).toBe("Top customers");
      expect(after.find((v: any) => v.name === "my_customers")).toBeUndefined();
      // The new view found the renamed field by its key.
      expect(after.find((v: any) => v.name === "by_credit").fields).toEqual(["name", "credit_limit", "town"]);
      // Grants: the admin's rep grant is kept as set, plus the new field's entry; warehouse keeps its entries and gains
      // one.
      const rep = (await admin.get("/admin/roles/sales_rep/grants/customers")).body.grant;
      expect(rep).toMatchObject({ delete: "own", fields: { credit_limit: "read" } });
      expect(Object.keys(rep.fields)).toEqual(["credit_limit"]);
      const wh = (await admin.get("/admin/roles/warehouse/grants/customers")).body.grant;
      expect(wh.fields).toEqual({ annual_revenue: "hidden", grade: "hidden", credit_limit: "hidden" });
      // And again: nothing more.
      const again = await admin.post("/admin/plugins/customers/install");
      expect(again.body.report.changed).toBe(false);
      expect(
        (await admin.get("/admin/plugins")).body.plugins.find((p: any) => p.name === "customers").installed.version,
      ).toBe("1.1.0");
      // Downgrades are refused.
      m.version = "1.0.0";
      const down = await admin.post("/admin/plugins/customers/install");
      expect(down.status).toBe(409);
      expect(down.body.errors[0].code).toBe("downgrade");
    } finally {
      Object.assign(m, original);
      for (const k of Object.keys(m) as (keyof PluginManifest)[]) if (!(k in original)) delete m[k];
    }
  });
});

describe("scheduled jobs", () => {
  async function tick() {
    const ctx = createExecutionContext();
    await worker.scheduled(
      { cron: "*/5 * * * *", scheduledTime: Date.now(), noRetry() {} } as ScheduledController,
      env as never,
      ctx,
    );
    await waitOnExecutionContext(ctx);
  }

  it("run when due and not again before their interval", async () => {
    const settings = {
      gradeRule: {
        enabled: true,
        metric: "annual_revenue",
        months: 12,
        currency: "CNY",
        thresholds: { A: 100_000_000, B: 10_000_000, C: 1 },
      },
    };
    expect((await admin.request("PUT", "/admin/plugins/customers/settings", settings)).status).toBe(200);
    await env.DB.prepare("DELETE FROM sg_plugin_jobs").run();
    const c = (
      await admin.post("/tables/customers/records", {
        fields: { name: uniq("Rich"), annual_revenue: { amount: 200_000_000, currency: "CNY" } },
      })
    ).body.record;
    await tick();
    expect((await admin.get(`/tables/customers/records/${c.id}`)).body.record.fields.grade).toBe("A");
    const job = await env.DB.prepare(
      "SELECT last_run_at, last_result FROM sg_plugin_jobs WHERE plugin = 'customers' AND job = 'grade-rule'",
    ).first<{ last_run_at: string; last_result: string }>();
    expect(JSON.parse(job!.last_result)).toMatchObject({ applied: true });
    const c2 = (
      await admin.post("/tables/customers/records", {
        fields: { name: uniq("Rich too"), annual_revenue: { amount: 200_000_000, currency: "CNY" } },
      })
    ).body.record;
    await tick();
    expect((await admin.get(`/tables/customers/records/${c2.id}`)).body.record.fields.grade).toBeNull();
    const again = await env.DB.prepare(
      "SELECT last_run_at FROM sg_plugin_jobs WHERE plugin = 'customers' AND job = 'grade-rule'",
    ).first<{ last_run_at: string }>();
    expect(again!.last_run_at).toBe(job!.last_run_at);
  });
});
