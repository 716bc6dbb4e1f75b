/**
 * The `editor` field option (how forms edit a long_text: plain, or stage_list for a JSON list of
 * stages): validated like every option, shown in the meta API, set on pipelines.stages by the
 * pipeline plugin, and added to an existing install by an upgrade without overriding what is set.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { bundledPlugin } from "../../worker/plugins/catalog";
import type { PluginManifest } from "../../schemas/types";
import { api, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
let admin: Client;
let table: string;

const stagesOf = (m: PluginManifest) =>
  m.tables!.find((t) => t.name === "pipelines")!.fields!.find((f) => f.name === "stages")!;

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  table = `notes_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
  const r = await admin.post("/meta/tables", { name: table, fields: [{ name: "title", type: "text" }] });
  expect(r.status, r.text).toBe(201);
});

describe("the editor option on a field", () => {
  it("is refused with 422 naming the option when its value is unknown, of the wrong type or injection-shaped", async () => {
    for (const editor of ["spreadsheet", 7, null, "stage_list'; DROP TABLE sg_fields; --", { kind: "stage_list" }]) {
      const r = await admin.post(`/meta/tables/${table}/fields`, {
        name: "plan",
        type: "long_text",
        options: { editor },
      });
      expect(r.status, `${JSON.stringify(editor)}: ${r.text}`).toBe(422);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.body.errors.map((e: any) => e.field)).toContain("options/editor");
    }
    const fields = (await admin.get(`/meta/tables/${table}`)).body.table.fields.map((f: any) => f.name);
    expect(fields).toEqual(["title"]);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_fields").first<{ n: number }>())!.n).toBeGreaterThan(0);
  });

  it("applies to long_text fields only", async () => {
    const r = await admin.post(`/meta/tables/${table}/fields`, {
      name: "short",
      type: "text",
      options: { editor: "stage_list" },
    });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({
      field: expect.stringMatching(/(^\/?)options\/editor$/),
      code: "not_applicable",
    });
  });

  it("is stored, shown in the meta API and changed by an admin; others may not set it", async () => {
    const r = await admin.post(`/meta/tables/${table}/fields`, {
      name: "steps",
      type: "long_text",
      options: { editor: "stage_list", maxLength: 5000 },
    });
    expect(r.status, r.text).toBe(201);
    const meta = async () =>
      (await admin.get(`/meta/tables/${table}`)).body.table.fields.find((f: any) => f.name === "steps");
    expect((await meta()).options).toEqual({ editor: "stage_list", maxLength: 5000 });
    const id = (await meta()).id;
    const p = await admin.patch(`/meta/tables/${table}/fields/${id}`, { options: { editor: "plain" } });
    expect(p.status, p.text).toBe(200);
    expect((await meta()).options).toEqual({ editor: "plain", maxLength: 5000 });
    const bad = await admin.patch(`/meta/tables/${table}/fields/${id}`, { options: { editor: "Stage_List" } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field)).toContain("options/editor");

    const rep = api((await userWithToken(["sales_rep"])).token);
    const denied = await rep.patch(`/meta/tables/${table}/fields/${id}`, { options: { editor: "stage_list" } });
    expect(denied.status).toBe(403);
    expect((await meta()).options.editor).toBe("plain");
  });
});

describe("pipelines.stages", () => {
  it("gets the stage list editor on install and on an upgrade from a version without it, keeping what an admin set", async () => {
    const m = bundledPlugin("pipeline").manifest as PluginManifest;
    const original = structuredClone(m);
    expect(stagesOf(original).options).toMatchObject({ editor: "stage_list" });
    const stagesMeta = async () =>
      (await admin.get("/meta/tables/pipelines")).body.table.fields.find((f: any) => f.name === "stages");
    try {
      // An install made by a version before the option existed.
      m.version = "1.0.0";
      delete stagesOf(m).options!.editor;
      expect((await admin.post("/admin/plugins/customers/install")).status).toBe(200);
      expect((await admin.post("/admin/plugins/pipeline/install")).status).toBe(200);
      expect((await stagesMeta()).options.editor).toBeUndefined();
      // An admin's change to another option of the field.
      const before = await stagesMeta();
      expect(
        (await admin.patch(`/meta/tables/pipelines/fields/${before.id}`, { options: { maxLength: 30000 } })).status,
      ).toBe(200);

      // The upgrade adds the editor and leaves the admin's maxLength alone.
      Object.assign(m, structuredClone(original));
      const up = await admin.post("/admin/plugins/pipeline/install");
      expect(up.status, up.text).toBe(200);
      expect(up.body.report).toMatchObject({
        from: "1.0.0",
        to: original.version,
        changed: true,
        optionsAdded: ["pipeline/pipelines.stages.editor"],
      });
      expect((await stagesMeta()).options).toMatchObject({ editor: "stage_list", maxLength: 30000 });
      // Audited as a field change made by the plugin.
      const audit = await env.DB.prepare(
        "SELECT changes FROM sg_audit WHERE action = 'field.update' AND field_id = ?1 ORDER BY id DESC LIMIT 1",
      )
        .bind(before.id)
        .first<{ changes: string }>();
      expect(JSON.parse(audit!.changes)).toEqual({ plugin: "pipeline", optionsAdded: { editor: "stage_list" } });

      // An admin who prefers the plain text box keeps it through later upgrades.
      expect(
        (await admin.patch(`/meta/tables/pipelines/fields/${before.id}`, { options: { editor: "plain" } })).status,
      ).toBe(200);
      m.version = "9.0.0";
      const again = await admin.post("/admin/plugins/pipeline/install");
      expect(again.status, again.text).toBe(200);
      expect(again.body.report.optionsAdded).toEqual([]);
      expect((await stagesMeta()).options.editor).toBe("plain");
    } finally {
      for (const k of Object.keys(m) as (keyof PluginManifest)[]) delete m[k];
      Object.assign(m, original);
    }
  });
});
