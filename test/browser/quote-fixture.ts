/** Shared set-up of the quote and print browser tests: a customer, a deal and catalog products. */
import type { ApiClient, ApiRecord } from "../../web-components/api/client";

export const uniq = (s: string) => `${s} ${crypto.randomUUID().slice(0, 8)}`;

/** A customer of the caller's and an open deal for it. */
export async function customerWithDeal(rep: ApiClient): Promise<{ customer: ApiRecord; deal: ApiRecord }> {
  const { record: customer } = await rep.createRecord("customers", { name: uniq("报价测试客户 Quote test") });
  const { record: deal } = await rep.createRecord("deals", {
    name: uniq("Quote flow deal"),
    customer: [customer.id],
    stage: "quote",
    expected_close: "2030-01-01",
  });
  return { customer, deal };
}

/** Active catalog products with Chinese names, as the rep may read them. */
export async function chineseProducts(rep: ApiClient, n: number): Promise<{ id: number; sku: string; name: string }[]> {
  const page = await rep.listRecords("products", {
    // Not stocked: confirming an order of them never depends on the demo's stock.
    filter: {
      and: [
        { field: "active", op: "eq", value: true },
        { field: "track_stock", op: "eq", value: false },
      ],
    },
    fields: ["sku", "name"],
    sort: ["sku"],
    limit: 300,
  });
  const found = page.records
    .map((r) => ({ id: r.id, sku: String(r.fields.sku), name: String(r.fields.name) }))
    .filter((p) => /[\u4e00-\u9fff]/.test(p.name));
  if (found.length < n) throw new Error(`Only ${found.length} active products with Chinese names`);
  return found.slice(0, n);
}

/** The lines of a document as the server has them, in position order. */
export async function linesOf(api: ApiClient, kind: "quote" | "order", id: number): Promise<ApiRecord[]> {
  const page = await api.listRecords(`${kind}_lines`, {
    filter: { field: kind, op: "contains", value: id },
    sort: ["position"],
    limit: 1000,
  });
  return page.records;
}

export const amount = (v: unknown): number => (v as { amount: number }).amount;

/** Sets the company name (and logo) the printed documents carry, keeping the other sales settings. */
export async function setCompany(admin: ApiClient, companyName: string, companyLogoUrl = ""): Promise<void> {
  const { plugins } = await admin.request<{ plugins: { name: string; settings: Record<string, unknown> }[] }>(
    "GET",
    "/api/admin/plugins",
  );
  const sales = plugins.find((p) => p.name === "sales");
  await admin.request("PUT", "/api/admin/plugins/sales/settings", {
    ...(sales?.settings ?? {}),
    companyName,
    companyLogoUrl,
  });
}
