import { describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

const uniq = () => crypto.randomUUID().slice(0, 8).replace(/-/g, "");

describe("record history", () => {
  it("lists create and update entries with per-field before/after, newest first, under the field's current name", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const name = `hist_${uniq()}`;
    expect(
      (
        await a.post("/meta/tables", {
          name,
          fields: [
            { name: "title", type: "text" },
            { name: "qty", type: "number", options: { precision: 0 } },
          ],
        })
      ).status,
    ).toBe(201);
    const created = await a.post(`/tables/${name}/records`, { fields: { title: "first", qty: 1 } });
    const id = created.body.record.id;
    await a.patch(`/tables/${name}/records/${id}`, { version: 1, fields: { qty: 2 } });
    await a.patch(`/tables/${name}/records/${id}`, { version: 2, fields: { title: "second" } });
    await a.patch(`/meta/tables/${name}/fields/title`, { name: "headline" });

    const h = await a.get(`/tables/${name}/records/${id}/history`);
    expect(h.status).toBe(200);
    expect(h.body.history.map((e: any) => e.action)).toEqual(["update", "update", "create"]);
    expect(h.body.history[0].changes).toEqual({ headline: { before: "first", after: "second" } });
    expect(h.body.history[1].changes).toEqual({ qty: { before: 1, after: 2 } });
    expect(h.body.history[2].changes).toEqual({
      headline: { before: null, after: "first" },
      qty: { before: null, after: 1 },
    });
    expect(h.body.history[0].user).toEqual({ id: admin.user.id, name: admin.user.name });

    const page1 = await a.get(`/tables/${name}/records/${id}/history?limit=2`);
    expect(page1.body.history).toHaveLength(2);
    const page2 = await a.get(`/tables/${name}/records/${id}/history?limit=2&before=${page1.body.nextBefore}`);
    expect(page2.body.history.map((e: any) => e.action)).toEqual(["create"]);
    expect(page2.body.nextBefore).toBeNull();
  });

  it("keeps the last values of a deleted record", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const name = `hist_${uniq()}`;
    await a.post("/meta/tables", { name, fields: [{ name: "title", type: "text" }] });
    const id = (await a.post(`/tables/${name}/records`, { fields: { title: "gone soon" } })).body.record.id;
    expect((await a.delete(`/tables/${name}/records/${id}`)).status).toBe(200);
    expect((await a.get(`/tables/${name}/records/${id}`)).status).toBe(404);
    const h = await a.get(`/tables/${name}/records/${id}/history`);
    expect(h.body.history[0]).toMatchObject({
      action: "delete",
      changes: { title: { before: "gone soon", after: null } },
    });
  });

  it("refuses a bad limit or before with a problem naming the parameter", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const name = `hist_${uniq()}`;
    await a.post("/meta/tables", { name, fields: [{ name: "title", type: "text" }] });
    for (const [q, field] of [
      ["limit=0", "limit"],
      ["limit=abc", "limit"],
      ["before=-1", "before"],
      ["before=1%20OR%201=1", "before"],
    ] as const) {
      const r = await a.get(`/tables/${name}/records/1/history?${q}`);
      expect(r.status).toBe(400);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.body.errors[0].field).toBe(field);
    }
  });
});

describe("record history names", () => {
  it("names the users and linked records its changes hold, and never the name of a record the caller may not read", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const target = `hist_t_${uniq()}`;
    const holder = `hist_h_${uniq()}`;
    expect((await a.post("/meta/tables", { name: target, fields: [{ name: "title", type: "text" }] })).status).toBe(
      201,
    );
    const made = await a.post("/meta/tables", {
      name: holder,
      fields: [
        { name: "title", type: "text" },
        { name: "owner", type: "user" },
        { name: "ref", type: "link", options: { table: target, multiple: true, inverseName: "holders" } },
      ],
    });
    expect(made.status, made.text).toBe(201);
    const open = (await a.post(`/tables/${target}/records`, { fields: { title: "Open target" } })).body.record.id;
    const secret = (await a.post(`/tables/${target}/records`, { fields: { title: "Secret target" } })).body.record.id;
    const role = `hist_role_${uniq()}`;
    expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
    const none = { create: "none", update: "none", delete: "none" };
    expect((await a.request("PUT", `/admin/roles/${role}/grants/${holder}`, { ...none, read: "all" })).status).toBe(
      200,
    );
    const rule = { rule: { field: "title", op: "eq", value: "Open target" } };
    expect((await a.request("PUT", `/admin/roles/${role}/grants/${target}`, { ...none, read: rule })).status).toBe(200);
    const reader = await userWithToken([role]);
    const id = (
      await a.post(`/tables/${holder}/records`, { fields: { title: "h", owner: admin.user.id, ref: [open, secret] } })
    ).body.record.id;
    await a.patch(`/tables/${holder}/records/${id}`, { version: 1, fields: { owner: reader.user.id } });

    const h = await api(reader.token).get(`/tables/${holder}/records/${id}/history`);
    expect(h.status, h.text).toBe(200);
    expect(h.body.names.users).toEqual({ [admin.user.id]: admin.user.name, [reader.user.id]: reader.user.name });
    expect(h.body.names.links.ref).toEqual({ [open]: "Open target", [secret]: null });
    expect(h.text).not.toContain("Secret target");

    // The admin reads both targets, so both are named.
    const ha = await a.get(`/tables/${holder}/records/${id}/history`);
    expect(ha.body.names.links.ref).toEqual({ [open]: "Open target", [secret]: "Secret target" });
  });
});
