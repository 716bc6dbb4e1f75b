/**
 * The meta API tells each caller what they may do: `access` on every table ({read, create, update,
 * delete}) and on every field ("read" | "write"), matching what the records API then allows; hidden
 * fields are absent. Also GET /api/config, the page's public settings. Storage is shared within this
 * file: role and table names are unique.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken, type ApiResponse } from "./helpers";

const uniq = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
let a: ReturnType<typeof api>;

beforeAll(async () => {
  a = api((await userWithToken(["admin"])).token);
});

function expectProblem(res: ApiResponse, status: number, field?: string) {
  expect(res.status, res.text.slice(0, 500)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+/);
  if (field !== undefined)
    expect(
      res.body.errors.map((e: { field: string }) => e.field),
      res.text.slice(0, 500),
    ).toContain(field);
}

async function setup(grant: Record<string, unknown>) {
  const role = uniq("role");
  expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
  const name = uniq("macc");
  const created = await a.post("/meta/tables", {
    name,
    fields: [
      { name: "title", type: "text" },
      { name: "owner", type: "user" },
      { name: "grade", type: "text" },
      { name: "secret", type: "text" },
    ],
  });
  expect(created.status, created.text).toBe(201);
  const put = await a.request("PUT", `/admin/roles/${role}/grants/${name}`, grant);
  expect(put.status, put.text).toBe(200);
  const user = await userWithToken([role]);
  return { name, role, user, u: api(user.token) };
}

type Field = { name: string; access: string };

describe("access in meta replies", () => {
  it("a read-only field, a hidden field and the operations a role has show in GET /meta/tables/{ref}", async () => {
    const { name, u } = await setup({
      read: "all",
      create: "all",
      update: "own",
      delete: "none",
      defaultField: "write",
      fields: { grade: "read", secret: "hidden" },
    });
    const res = await u.get(`/meta/tables/${name}`);
    expect(res.status, res.text).toBe(200);
    const t = res.body.table;
    expect(t.access).toEqual({ read: true, create: true, update: true, delete: false });
    const byName = Object.fromEntries((t.fields as Field[]).map((f) => [f.name, f.access]));
    expect(byName).toEqual({ title: "write", owner: "write", grade: "read" });
    expect(res.text).not.toContain("secret");

    // What the reply says is what the records API does.
    expect((await u.post(`/tables/${name}/records`, { fields: { title: "x" } })).status).toBe(201);
    expectProblem(await u.post(`/tables/${name}/records`, { fields: { title: "y", grade: "A" } }), 403);
  });

  it("the table list carries the same access per table, and leaves out tables the role cannot read", async () => {
    const { name, u } = await setup({
      read: "own",
      create: "none",
      update: "none",
      delete: "none",
      defaultField: "read",
      fields: {},
    });
    const hidden = uniq("hidden");
    expect((await a.post("/meta/tables", { name: hidden, fields: [{ name: "title", type: "text" }] })).status).toBe(
      201,
    );
    const res = await u.get("/meta/tables");
    expect(res.status).toBe(200);
    const names = res.body.tables.map((t: { name: string }) => t.name);
    expect(names).toContain(name);
    expect(names).not.toContain(hidden);
    const t = res.body.tables.find((x: { name: string }) => x.name === name);
    expect(t.access).toEqual({ read: true, create: false, update: false, delete: false });
    expect((t.fields as Field[]).every((f) => f.access === "read")).toBe(true);
    expectProblem(await u.get(`/meta/tables/${hidden}`), 404);
  });

  it("admins get every operation and every field writable", async () => {
    const name = uniq("adm");
    expect((await a.post("/meta/tables", { name, fields: [{ name: "title", type: "text" }] })).status).toBe(201);
    const res = await a.get(`/meta/tables/${name}`);
    expect(res.body.table.access).toEqual({ read: true, create: true, update: true, delete: true });
    expect(res.body.table.fields.map((f: Field) => f.access)).toEqual(["write"]);
  });

  it("refuses a signed-out caller and an injection-shaped table reference without leaking anything", async () => {
    expectProblem(await api().get("/meta/tables"), 401);
    const { u } = await setup({
      read: "all",
      create: "none",
      update: "none",
      delete: "none",
      defaultField: "read",
      fields: {},
    });
    expectProblem(await u.get(`/meta/tables/${encodeURIComponent("x' OR 1=1 --")}`), 404);
  });
});

describe("GET /api/config", () => {
  it("answers without a token with the grid licence key (evaluation key by default) and the languages", async () => {
    const res = await api().get("/config");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      handsontableLicenseKey: "non-commercial-and-evaluation",
      locales: ["en", "zh-CN"],
      sso: { oidc: false },
    });
  });

  it("refuses unknown query parameters (also injection-shaped ones) and other methods with a problem", async () => {
    expectProblem(await api().get("/config?debug=1"), 400, "debug");
    expectProblem(await api().get(`/config?${encodeURIComponent("x'; DROP TABLE sg_users;--")}=1`), 400);
    expectProblem(await api().post("/config", { handsontableLicenseKey: "mine" }), 404);
    expectProblem(await api().request("PUT", "/config", "x".repeat(6 * 1024 * 1024)), 413);
  });
});
