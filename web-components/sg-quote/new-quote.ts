/**
 * A new quote from a deal (the deal drawer's "New quote"): the deal's customer and contact, the deal
 * linked; the server fills the rest (draft, number, currency and price list, validity). Answers the
 * new quote's id.
 */
import type { ApiClient } from "../api/client";

const ids = (v: unknown): number[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === "number" ? x : (x as { id: number }).id)) : [];

export async function newQuoteFromDeal(api: ApiClient, dealId: number): Promise<number> {
  const { record: deal } = await api.getRecord("deals", dealId, { fields: ["customer", "contact"] });
  const fields: Record<string, unknown> = { deal: [dealId] };
  if (ids(deal.fields.customer).length) fields.customer = ids(deal.fields.customer).slice(0, 1);
  if (ids(deal.fields.contact).length) fields.contact = ids(deal.fields.contact).slice(0, 1);
  const { record } = await api.createRecord("quotes", fields);
  return record.id;
}
