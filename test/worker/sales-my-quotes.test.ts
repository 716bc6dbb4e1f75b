/**
 * `$user` in filters: on a user field it is the caller's id, resolved by the server per request, in a
 * caller's filter, an aggregate's and a saved view's (the sales plugin's "my open quotes"), on every
 * table. Elsewhere it is plain text.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { create, customer, installSales, quote, signedIn, uniq, type Client } from "./sales-fixture";

let admin: Client;
let manager: { client: Client; id: string };
let rep: { client: Client; id: string };
let mine: number[];
let reps: number[];

const f = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
const ids = (r: { status: number; text: string; body: any }) => {
  expect(r.status, r.text).toBe(200);
  return (r.body.records as { id: number }[]).map((x) => x.id).sort((a, b) => a - b);
};

beforeAll(async () => {
  ({ admin } = await installSales());
  manager = await signedIn(["sales_manager"]);
  rep = await signedIn(["sales_rep"]);
  const t = await admin.post("/admin/teams", {
    name: `east_${crypto.randomUUID().slice(0, 8)}`,
    label: "East",
    members: [{ user: manager.id, lead: true }, { user: rep.id }],
  });
  expect(t.status, t.text).toBe(201);
  mine = [(await quote(manager.client)).id, (await quote(manager.client)).id];
  reps = [(await quote(rep.client)).id];
});

describe("$user in filters", () => {
  it("is the caller's id on a user field: the manager reads the team's quotes, $user narrows to their own", async () => {
    const all = ids(await manager.client.get("/tables/quotes/records?limit=1000"));
    expect(all).toEqual(expect.arrayContaining([...mine, ...reps]));
    expect(
      ids(
        await manager.client.get(
          `/tables/quotes/records?limit=1000&filter=${f({ field: "owner", op: "eq", value: "$user" })}`,
        ),
      ),
    ).toEqual(mine);
    expect(
      ids(
        await rep.client.get(
          `/tables/quotes/records?limit=1000&filter=${f({ field: "owner", op: "eq", value: "$user.id" })}`,
        ),
      ),
    ).toEqual(reps);
    const others = ids(
      await manager.client.get(
        `/tables/quotes/records?limit=1000&filter=${f({ field: "owner", op: "neq", value: "$user" })}`,
      ),
    );
    expect(others).toEqual(expect.arrayContaining(reps));
    expect(others).not.toEqual(expect.arrayContaining([mine[0]]));
  });

  it("works inside in and nin lists, beside real ids", async () => {
    const both = ids(
      await manager.client.get(
        `/tables/quotes/records?limit=1000&filter=${f({ field: "owner", op: "in", value: ["$user", rep.id] })}`,
      ),
    );
    expect(both).toEqual([...mine, ...reps].sort((a, b) => a - b));
  });

  it("is resolved per request: the same filter text gives each caller their own rows", async () => {
    const filter = f({ field: "owner", op: "eq", value: "$user" });
    const [a, b] = await Promise.all([
      manager.client.get(`/tables/quotes/records?limit=1000&filter=${filter}`),
      rep.client.get(`/tables/quotes/records?limit=1000&filter=${filter}`),
    ]);
    expect(ids(a)).toEqual(mine);
    expect(ids(b)).toEqual(reps);
  });

  it("counts through the aggregate pipeline as the caller", async () => {
    const r = await manager.client.post("/tables/quotes/aggregate", {
      measures: [{ op: "count" }],
      filter: { field: "owner", op: "eq", value: "$user" },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.groups[0].values.count).toBe(mine.length);
  });

  it("applies on any table with a user field (customers' owner)", async () => {
    const c = await customer(rep.client);
    const r = await rep.client.get(
      `/tables/customers/records?limit=1000&filter=${f({ field: "owner", op: "eq", value: "$user" })}`,
    );
    expect(ids(r)).toContain(c.id);
    const none = await admin.get(
      `/tables/customers/records?limit=1000&filter=${f({ field: "owner", op: "eq", value: "$user" })}`,
    );
    expect(ids(none)).not.toContain(c.id);
  });

  it("is plain text on a text field, and injection-shaped values stay values", async () => {
    const c = await customer(admin, { name: "$user" });
    const r = await admin.get(
      `/tables/customers/records?limit=1000&filter=${f({ field: "name", op: "eq", value: "$user" })}`,
    );
    expect(ids(r)).toEqual([c.id]);
    for (const value of ["$user'; DROP TABLE sg_users; --", "$user.teams", "$USER"]) {
      const x = await manager.client.get(
        `/tables/quotes/records?limit=1000&filter=${f({ field: "owner", op: "eq", value })}`,
      );
      expect(ids(x), value).toEqual([]);
    }
  });
});

describe("the sales plugin's my open quotes view", () => {
  it("shows the caller's own open quotes only, though a manager reads the team's", async () => {
    const views = await manager.client.get("/meta/views?table=quotes");
    expect(views.status, views.text).toBe(200);
    const view = (views.body.views as { id: string; name: string; filter?: unknown }[]).find(
      (v) => v.name === "my_open_quotes",
    )!;
    expect(view).toBeTruthy();
    const sent = await create(manager.client, "quotes", { notes: uniq("won't show: converted later") });
    const list = ids(await manager.client.get(`/meta/views/${view.id}/records?limit=1000`));
    expect(list).toEqual([...mine, sent.id].sort((a, b) => a - b));
    expect(ids(await rep.client.get(`/meta/views/${view.id}/records?limit=1000`))).toEqual(reps);
    const agg = await manager.client.post(`/meta/views/${view.id}/aggregate`, { measures: [{ op: "count" }] });
    expect(agg.status, agg.text).toBe(200);
    expect(agg.body.groups[0].values.count).toBe(list.length);
  });
});
