/** OpenAPI paths: the sales plugin's actions that answer more than a record (purchase history, company). */
import { errors, json } from "./parts";

const RECORD = {
  type: "object",
  description: "A record as the records API answers it, with only the fields the caller may read",
  properties: {
    id: { type: "integer" },
    version: { type: "integer" },
    fields: { type: "object", additionalProperties: true },
  },
  required: ["id", "fields"],
};

export const salesPaths = {
  "/api/actions/sales/purchase-history": {
    post: {
      operationId: "salesPurchaseHistory",
      summary:
        "A customer's purchase history as the caller may see it: their orders newest first (paged by `cursor`), and with the first page the totals per year of order date and per currency of the orders not cancelled (exact minor units), the last such order and the open quotes. Read through the records pipeline as the caller: row rules apply, and a role that may not read amounts (e.g. the warehouse) gets `amountsHidden: true` and no amount. 404 for a customer the caller may not read.",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["customer"],
        properties: {
          customer: { type: "integer", minimum: 1, description: "The customer's record id" },
          limit: { type: "integer", minimum: 1, maximum: 100, description: "Orders per page, default 20" },
          cursor: { type: "string", maxLength: 1000, description: "nextCursor of the previous page" },
        },
      }),
      responses: {
        200: {
          description: "The history",
          ...json({
            type: "object",
            properties: {
              customer: { type: "integer" },
              orders: { type: "array", items: RECORD },
              nextCursor: { type: ["string", "null"] },
              amountsHidden: { type: "boolean" },
              totalsByYear: {
                type: ["array", "null"],
                description: "First page only; null when amounts are hidden from the caller",
                items: {
                  type: "object",
                  properties: {
                    year: { type: "string" },
                    currency: { type: "string" },
                    count: { type: "integer" },
                    amount: {
                      type: ["integer", "string"],
                      description: "Minor units; a digit string past 2^53",
                    },
                  },
                  required: ["year", "currency", "count", "amount"],
                },
              },
              truncated: { type: "boolean", description: "The totals stopped after 50,000 orders" },
              lastOrder: { oneOf: [RECORD, { type: "null" }] },
              openQuotes: {
                type: ["array", "null"],
                items: RECORD,
                description: "Null when the caller may not read quotes",
              },
            },
            required: ["customer", "orders", "nextCursor", "amountsHidden"],
          }),
        },
        ...errors,
      },
    },
  },
  "/api/actions/sales/company": {
    post: {
      operationId: "salesCompany",
      summary:
        "The company name and logo address (settings companyName, companyLogoUrl) that printed quotes and orders carry, for anyone who may read quotes or orders (403 otherwise); no other setting. The logo shows in the app only from its own origin or as a data: URL (the page's Content-Security-Policy).",
      requestBody: json({ type: "object", additionalProperties: false, properties: {} }),
      responses: {
        200: {
          description: "The company details",
          ...json({
            type: "object",
            properties: { companyName: { type: "string" }, companyLogoUrl: { type: "string" } },
            required: ["companyName", "companyLogoUrl"],
          }),
        },
        ...errors,
      },
    },
  },
};
