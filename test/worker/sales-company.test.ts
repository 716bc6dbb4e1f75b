/**
 * sales/company: the company name and logo a printed quote or order carries, for anyone who may read
 * quotes or orders (the plugin settings route is for admins only); exactly the two values, never the
 * other settings; a strict empty body.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { installSales, signedIn, type Client } from "./sales-fixture";

let admin: Client;
const NAME = '上海示例贸易有限公司 <b>"=HYPERLINK()"</b>';
const LOGO = "data:image/png;base64,iVBORw0KGgo=";

beforeAll(async () => {
  ({ admin } = await installSales());
  const cur = await admin.get("/admin/plugins");
  const sales = (cur.body.plugins as { name: string; settings: Record<string, unknown> }[]).find(
    (p) => p.name === "sales",
  )!;
  const put = await admin.request("PUT", "/admin/plugins/sales/settings", {
    ...sales.settings,
    companyName: NAME,
    companyLogoUrl: LOGO,
  });
  expect(put.status, put.text).toBe(200);
});

describe("sales/company", () => {
  it("answers a rep the company name and logo, verbatim, and no other setting", async () => {
    const { client } = await signedIn(["sales_rep"]);
    const r = await client.post("/actions/sales/company", {});
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ companyName: NAME, companyLogoUrl: LOGO });
  });

  it("answers the warehouse, who reads orders", async () => {
    const { client } = await signedIn(["warehouse"]);
    const r = await client.post("/actions/sales/company", {});
    expect(r.status, r.text).toBe(200);
    expect(r.body.companyName).toBe(NAME);
  });

  it("refuses a user who may read neither quotes nor orders", async () => {
    const { client } = await signedIn([]);
    const r = await client.post("/actions/sales/company", {});
    expect(r.status, r.text).toBe(403);
    expect(r.body.code).toBe("forbidden");
  });

  it("refuses unknown fields, wrong types and oversize bodies", async () => {
    const { client } = await signedIn(["sales_rep"]);
    const unknown = await client.post("/actions/sales/company", { companyName: "x" });
    expect(unknown.status, unknown.text).toBe(422);
    const wrong = await client.post("/actions/sales/company", ["x"]);
    expect([400, 422]).toContain(wrong.status);
    const big = await client.post("/actions/sales/company", { pad: "x".repeat(6 * 1024 * 1024) });
    expect(big.status).toBe(413);
  });

  it("answers concurrent calls alike", async () => {
    const { client } = await signedIn(["sales_rep"]);
    const all = await Promise.all(Array.from({ length: 5 }, () => client.post("/actions/sales/company", {})));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(all.map((r) => r.text)).size).toBe(1);
  });
});
