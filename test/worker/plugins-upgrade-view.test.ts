/**
 * Upgrading a plugin's views: a view the plugin made and no admin changed takes the new version's
 * definition (pipeline 1.1.0 gives the deals board its column sums); one an admin changed, or deleted,
 * stays as the admin left it; the plugin's own upgrades do not count as admin changes; a second run
 * changes nothing. The bundled manifest is edited in memory to play the older and later versions.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { bundledPlugin } from "../../worker/plugins/catalog";
import { compareVersions } from "../../worker/plugins/manifest";
import type { PluginManifest, ViewInput } from "../../schemas/types";
import { signedIn, type Client } from "./plugins-fixture";

const manifest = bundledPlugin("pipeline").manifest as PluginManifest;
const shipped = structuredClone(manifest);
let admin: Client;

/** Makes the bundled manifest `next` (in place: the Worker holds this very object). */
function play(next: PluginManifest) {
  for (const k of Object.keys(manifest) as (keyof PluginManifest)[]) delete manifest[k];
  Object.assign(manifest, structuredClone(next));
}

function version(v: string, edit: (views: Map<string, ViewInput>) => void = () => {}): PluginManifest {
  const m = structuredClone(shipped);
  m.version = v;
  edit(new Map(m.views!.map((x) => [x.name, x])));
  return m;
}

async function views(): Promise<Record<string, any>> {
  const r = await admin.get("/meta/views?table=deals");
  expect(r.status, r.text).toBe(200);
  return Object.fromEntries(r.body.views.map((v: any) => [v.name, v]));
}

async function install() {
  const r = await admin.post("/admin/plugins/pipeline/install");
  expect(r.status, r.text).toBe(200);
  return r.body.report;
}

const viewRows = async () =>
  (await env.DB.prepare("SELECT id, name, definition, version, updated_at FROM sg_views ORDER BY id").all()).results;

beforeAll(async () => {
  admin = (await signedIn(["admin"])).client;
  expect((await admin.post("/admin/plugins/customers/install")).status).toBe(200);
  // Pipeline as 1.0.0 shipped it: the board without sums.
  play(version("1.0.0", (v) => delete v.get("deals_board")!.layout));
  const report = await install();
  expect(report).toMatchObject({ from: null, to: "1.0.0", changed: true });
});

afterEach(() => play(shipped));

describe("the shipped pipeline manifest", () => {
  it("is a newer version whose deals board sums the amount", () => {
    expect(compareVersions(shipped.version, "1.0.0")).toBeGreaterThan(0);
    expect(shipped.views!.find((v) => v.name === "deals_board")).toMatchObject({
      type: "kanban",
      groupBy: "stage",
      layout: { sumField: "amount" },
    });
  });
});

describe("upgrading views", () => {
  it("updates an untouched view, keeps a changed one and a deleted one, and a second run changes nothing", async () => {
    const before = await views();
    expect(before.deals_board.layout).toBeUndefined();
    // Admin changes on 1.0.0: open_deals relabelled, won_deals deleted.
    expect(
      (
        await admin.patch(`/meta/views/${before.open_deals.id}`, {
          version: before.open_deals.version,
          label: "Our open deals",
        })
      ).status,
    ).toBe(200);
    expect((await admin.delete(`/meta/views/${before.won_deals.id}`)).status).toBe(200);

    // 1.1.0 as shipped, plus changes to the two views the admin touched.
    play(
      version(shipped.version, (v) => {
        v.get("open_deals")!.layout = { frozenColumns: 1 };
        v.get("won_deals")!.label = "Deals won";
      }),
    );
    const report = await install();
    expect(report).toMatchObject({
      from: "1.0.0",
      to: shipped.version,
      changed: true,
      created: { tables: [], fields: [], views: [], grants: [] },
      updated: { views: ["pipeline/deals.deals_board"] },
    });
    expect(report.skipped).toContainEqual({
      key: "pipeline/deals.open_deals",
      reason: expect.stringContaining("admin changed"),
    });

    const after = await views();
    expect(after.deals_board.layout).toEqual({ sumField: "amount" });
    expect(after.deals_board.version).toBe(before.deals_board.version + 1);
    // Everything else of the board is as it was.
    const { layout: _l, version: _v, updatedAt: _u, ...rest } = after.deals_board;
    const { layout: _l0, version: _v0, updatedAt: _u0, ...rest0 } = before.deals_board;
    expect(rest).toEqual(rest0);
    expect(after.open_deals.label).toBe("Our open deals");
    expect(after.open_deals.layout).toBeUndefined();
    expect(after.won_deals).toBeUndefined();

    // The upgrade is audited as the plugin's, and the object record names the new version.
    const audit = await env.DB.prepare(
      "SELECT changes FROM sg_audit WHERE action = 'view.upgrade' AND json_extract(changes, '$.view') = ?1",
    )
      .bind(before.deals_board.id)
      .all<{ changes: string }>();
    expect(audit.results.map((r) => JSON.parse(r.changes))).toEqual([
      expect.objectContaining({ plugin: "pipeline", from: "1.0.0", to: shipped.version }),
    ]);
    const obj = await env.DB.prepare(
      "SELECT version FROM sg_plugin_objects WHERE plugin = 'pipeline' AND kind = 'view' AND key = 'pipeline/deals.deals_board'",
    ).first<{ version: string }>();
    expect(obj!.version).toBe(shipped.version);

    // The same version again: nothing is written.
    const rows = await viewRows();
    const again = await install();
    expect(again).toMatchObject({ changed: false, updated: { views: [] }, created: { views: [] } });
    expect(await viewRows()).toEqual(rows);
  });

  it("keeps upgrading a view only the plugin changed, and stops once an admin changes it", async () => {
    // 1.2.0: swimlanes by owner. The board was last written by the 1.1.0 upgrade, not by an admin.
    play(version("1.2.0", (v) => (v.get("deals_board")!.layout = { sumField: "amount", swimlaneField: "owner" })));
    const r12 = await install();
    expect(r12.updated.views).toEqual(["pipeline/deals.deals_board"]);
    const board = (await views()).deals_board;
    expect(board.layout).toEqual({ sumField: "amount", swimlaneField: "owner" });

    // The admin prefers weighted sums; 1.3.0 changes the board again and must leave the admin's choice.
    const changed = await admin.patch(`/meta/views/${board.id}`, {
      version: board.version,
      layout: { sumField: "weighted_amount" },
    });
    expect(changed.status, changed.text).toBe(200);
    play(
      version(
        "1.3.0",
        (v) => (v.get("deals_board")!.layout = { sumField: "amount", swimlaneField: "owner", frozenColumns: 2 }),
      ),
    );
    const rows = await viewRows();
    const r13 = await install();
    expect(r13).toMatchObject({ from: "1.2.0", to: "1.3.0", updated: { views: [] } });
    expect(r13.skipped).toContainEqual({
      key: "pipeline/deals.deals_board",
      reason: expect.stringContaining("admin changed"),
    });
    expect((await views()).deals_board.layout).toEqual({ sumField: "weighted_amount" });
    expect(await viewRows()).toEqual(rows);
  });

  it("reports a new definition that no longer fits the table instead of failing the upgrade", async () => {
    // 1.4.0 puts the calendar on a text field: the view is left as it is and the report says why.
    play(version("1.4.0", (v) => (v.get("close_calendar")!.layout = { dateField: "name" })));
    const rows = await viewRows();
    const r = await install();
    expect(r).toMatchObject({ to: "1.4.0", updated: { views: [] } });
    expect(r.skipped).toContainEqual({ key: "pipeline/deals.close_calendar", reason: expect.stringContaining("date") });
    expect(await viewRows()).toEqual(rows);
  });
});
