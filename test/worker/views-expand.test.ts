/**
 * `expand` on records through a view: link fields the view shows come back as {id, primary}, under
 * the same rule as the records list (a linked row the caller cannot read, or a table they cannot
 * read, comes back as {id} alone); a link the view does not show, a field that is not a link and
 * bad values are refused naming `expand`. ApiClient.viewRecords sends it.
 * Storage is shared between tests in this file: table and view names are unique.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import { ApiClient } from "../../web-components/api/client";
import { Session } from "../../web-components/api/session";
import { api, testEnv, userWithToken } from "./helpers";

type Api = ReturnType<typeof api>;
const DB = testEnv.DB;
const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;

let admin: Api;
let rep: Api;
let repToken: string;
let repId: string;
let deals: { id: string; name: string; fields: { id: string; name: string }[] };
let customers: string;
let gridView: string;
let openView: string;
let boardView: string;
const ids: Record<string, number> = {};

function expectProblem(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  field: string,
  code?: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(
    res.body.errors.map((e: { field: string }) => e.field),
    res.text,
  ).toContain(field);
  if (code)
    expect(
      res.body.errors.map((e: { code: string }) => e.code),
      res.text,
    ).toContain(code);
}

async function table(body: Record<string, unknown>) {
  const r = await admin.post("/meta/tables", body);
  expect(r.status, r.text).toBe(201);
  return r.body.table;
}

async function grant(tableId: string, ops: Record<string, string>) {
  await DB.batch([
    DB.prepare(
      "INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES ('sales_rep', ?1, ?2, '{}', 'read', ?3)",
    ).bind(
      tableId,
      JSON.stringify({ create: "none", update: "none", delete: "none", ...ops }),
      new Date().toISOString(),
    ),
    DB.prepare("UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'"),
  ]);
}

async function view(body: Record<string, unknown>): Promise<string> {
  const r = await admin.post("/meta/views", {
    name: uniq("v"),
    table: deals.name,
    type: "grid",
    roles: ["sales_rep"],
    ...body,
  });
  expect(r.status, r.text).toBe(201);
  return r.body.view.id;
}

const byTitle = (res: { body: any }) =>
  Object.fromEntries(
    (res.body.records as { fields: Record<string, unknown> }[]).map((r) => [r.fields.title, r.fields]),
  );

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  const r = await userWithToken(["sales_rep"]);
  rep = api(r.token);
  repToken = r.token;
  repId = r.user.id;
  // Customers: reps read the ones they own. Contacts: reps read nothing.
  const cust = await table({
    name: uniq("customers"),
    primaryField: "name",
    fields: [
      { name: "name", type: "text" },
      { name: "owner", type: "user" },
    ],
  });
  customers = cust.name;
  const contacts = await table({
    name: uniq("contacts"),
    primaryField: "name",
    fields: [{ name: "name", type: "text" }],
  });
  deals = await table({
    name: uniq("deals"),
    fields: [
      { name: "title", type: "text" },
      { name: "stage", type: "single_select", options: { choices: [{ name: "open" }, { name: "won" }] } },
      { name: "customer", type: "link", options: { table: cust.id, multiple: false } },
      { name: "contact", type: "link", options: { table: contacts.id, multiple: false } },
      { name: "amount", type: "number" },
    ],
  });
  await grant(cust.id, { read: "own" });
  await grant(deals.id, { read: "all" });
  const c = await admin.post(`/tables/${customers}/records`, {
    records: [{ fields: { name: "Mine Ltd", owner: repId } }, { fields: { name: "Theirs Ltd", owner: null } }],
  });
  expect(c.status, c.text).toBe(201);
  [ids.mine, ids.theirs] = c.body.records.map((x: { id: number }) => x.id);
  const k = await admin.post(`/tables/${contacts.name}/records`, { fields: { name: "Ann" } });
  expect(k.status, k.text).toBe(201);
  ids.ann = k.body.record.id;
  const d = await admin.post(`/tables/${deals.name}/records`, {
    records: [
      { fields: { title: "D1", stage: "open", customer: [ids.mine], contact: [ids.ann], amount: 1 } },
      { fields: { title: "D2", stage: "open", customer: [ids.theirs], amount: 2 } },
      { fields: { title: "D3", stage: "won", customer: [], amount: 3 } },
    ],
  });
  expect(d.status, d.text).toBe(201);
  gridView = await view({ fields: ["title", "customer", "amount"] });
  openView = await view({});
  boardView = await view({
    type: "kanban",
    groupBy: "stage",
    fields: ["title", "customer"],
    filter: { field: "stage", op: "eq", value: "open" },
  });
});

describe("expand through a view", () => {
  it("names linked records the caller may read and leaves the others as bare ids", async () => {
    const res = await rep.get(`/meta/views/${gridView}/records?expand=customer`);
    expect(res.status, res.text).toBe(200);
    const rows = byTitle(res);
    expect(rows.D1!.customer).toEqual([{ id: ids.mine, primary: "Mine Ltd" }]);
    // The rep cannot read this customer: its id only, no name, not even a null one.
    expect(rows.D2!.customer).toEqual([{ id: ids.theirs }]);
    expect(rows.D3!.customer).toEqual([]);
    expect(res.text).not.toContain("Theirs Ltd");
    // Only the view's fields, the expanded one included.
    expect(Object.keys(rows.D1!).sort()).toEqual(["amount", "customer", "title"]);
  });

  it("names every linked record for a caller who reads them all, and takes a field id too", async () => {
    const customerId = deals.fields.find((f) => f.name === "customer")!.id;
    const res = await admin.get(`/meta/views/${gridView}/records?expand=${customerId}`);
    expect(res.status, res.text).toBe(200);
    expect(byTitle(res).D2!.customer).toEqual([{ id: ids.theirs, primary: "Theirs Ltd" }]);
  });

  it("leaves links as ids without expand", async () => {
    const rows = byTitle(await rep.get(`/meta/views/${gridView}/records`));
    expect(rows.D1!.customer).toEqual([ids.mine]);
  });

  it("expands a kanban board's card links with the view's filter, also when the caller narrows the fields", async () => {
    const res = await rep.get(`/meta/views/${boardView}/records?expand=customer&fields=title`);
    expect(res.status, res.text).toBe(200);
    const rows = byTitle(res);
    expect(Object.keys(rows).sort()).toEqual(["D1", "D2"]);
    expect(rows.D1).toEqual({ title: "D1", customer: [{ id: ids.mine, primary: "Mine Ltd" }] });
  });

  it("on a view that lists no fields, expands any link the caller reads, under the link rule", async () => {
    const rows = byTitle(await rep.get(`/meta/views/${openView}/records?expand=customer,contact`));
    expect(rows.D1!.customer).toEqual([{ id: ids.mine, primary: "Mine Ltd" }]);
    // No grant on contacts at all: the id only.
    expect(rows.D1!.contact).toEqual([{ id: ids.ann }]);
    const asAdmin = byTitle(await admin.get(`/meta/views/${openView}/records?expand=contact`));
    expect(asAdmin.D1!.contact).toEqual([{ id: ids.ann, primary: "Ann" }]);
  });

  it("refuses links the view does not show, fields that are not links and bad values, naming expand", async () => {
    expectProblem(await rep.get(`/meta/views/${gridView}/records?expand=contact`), 400, "expand", "unknown_field");
    expectProblem(await admin.get(`/meta/views/${gridView}/records?expand=contact`), 400, "expand", "unknown_field");
    expectProblem(await rep.get(`/meta/views/${gridView}/records?expand=title`), 400, "expand", "not_link");
    expectProblem(await rep.get(`/meta/views/${gridView}/records?expand=nope`), 400, "expand", "unknown_field");
    expectProblem(
      await rep.get(
        `/meta/views/${gridView}/records?expand=${encodeURIComponent("customer'); DROP TABLE sg_views; --")}`,
      ),
      400,
      "expand",
    );
    expectProblem(await rep.get(`/meta/views/${gridView}/records?expand=${"x".repeat(5000)}`), 400, "expand");
    // A view the caller may not open stays a 404, expand or not.
    const hidden = await admin.post("/meta/views", {
      name: uniq("v"),
      table: deals.name,
      type: "grid",
      roles: ["warehouse"],
    });
    expect(hidden.status).toBe(201);
    expect((await rep.get(`/meta/views/${hidden.body.view.id}/records?expand=customer`)).status).toBe(404);
  });

  it("is sent by ApiClient.viewRecords", async () => {
    const client = new ApiClient({
      baseUrl: "http://x",
      token: repToken,
      session: new Session(`http://x/${crypto.randomUUID()}`),
      fetch: async (input, init) => {
        const ctx = createExecutionContext();
        const res = await worker.fetch(new Request(input, init), testEnv as never, ctx);
        await waitOnExecutionContext(ctx);
        return res;
      },
    });
    const reply = await client.viewRecords(boardView, {
      expand: ["customer"],
      filter: { field: "title", op: "eq", value: "D1" },
    });
    expect(reply.records.map((r) => r.fields.customer)).toEqual([[{ id: ids.mine, primary: "Mine Ltd" }]]);
  });
});
