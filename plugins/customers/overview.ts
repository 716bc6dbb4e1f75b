/**
 * The customer page in one call: the customer and its contacts, addresses, activities, deals (with
 * the pipeline plugin) and orders (with the sales plugin), each read through the records
 * read pipeline as the caller, so every list holds only rows and fields their grants allow. A list
 * the caller may not read at all is null.
 */
import { AppError, listRecordsAs, readRecord, type ActionContext } from "../../worker/plugin-sdk";

const RELATED: [string, string, string, string][] = [
  ["contacts", "contacts", "customer", "name"],
  ["addresses", "customer_addresses", "customer", "address"],
  ["activities", "activities", "customer", "-at"],
  ["deals", "pipeline/deals", "customer", "-expected_close"],
  ["purchases", "sales/orders", "customer", "-order_date"],
];

export async function customerOverview(ctx: ActionContext, id: number) {
  const customers = ctx.table("customers");
  const record = await readRecord(ctx, customers, id);
  const related: Record<string, unknown> = {};
  for (const [label, ref, linkKey, sortKey] of RELATED) {
    const t = ctx.maybeTable(ref);
    const link = t?.maybeField(linkKey);
    if (!t || !link) {
      related[label] = null;
      continue;
    }
    const sortField = sortKey ? t.maybeField(sortKey.replace(/^-/, "")) : null;
    try {
      const page = await listRecordsAs(ctx, t, {
        filter: JSON.stringify({ field: link.id, op: "contains", value: id }),
        limit: "200",
        ...(sortField ? { sort: `${sortKey.startsWith("-") ? "-" : ""}${sortField.id}` } : {}),
      });
      related[label] = page.records;
    } catch (err) {
      // No read grant on the table, or the link or sort field is hidden from the caller.
      if (err instanceof AppError && ["forbidden", "unknown_field", "bad_request"].includes(err.code))
        related[label] = null;
      else throw err;
    }
  }
  return { record, ...related };
}
