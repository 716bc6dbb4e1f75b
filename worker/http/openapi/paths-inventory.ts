/**
 * OpenAPI paths: the inventory plugin's actions (POST /api/actions/inventory/{action}). Their bodies
 * are checked against the same schemas in plugins/inventory (which worker/ cannot import, so they are
 * restated here; test/worker/inventory-openapi.test.ts compares the two).
 */
import { errors, json } from "./parts";

const id = (description: string) => ({ type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
const quantity = (description: string) => ({
  type: ["string", "number"],
  maxLength: 40,
  description: `${description}: a decimal with at most 3 places, as a string ("2.500") or a number read through its text`,
});
const text = (max: number, description: string) => ({ type: "string", minLength: 1, maxLength: max, description });
const MOVE = {
  type: "object",
  properties: {
    kind: { type: "string", enum: ["receipt", "adjustment", "transfer_out", "transfer_in"] },
    warehouse: { type: "integer" },
    quantity: { type: "string", description: "Signed: what the move added to on hand" },
  },
  required: ["kind", "warehouse", "quantity"],
};
const FILLED = {
  type: "array",
  description:
    "Backordered lines of confirmed or partly shipped orders in the warehouse the stock arrived in, reserved in the same batch, oldest order date first, up to what arrived",
  items: {
    type: "object",
    properties: { order: { type: "integer" }, order_line: { type: "integer" }, quantity: { type: "string" } },
    required: ["order", "order_line", "quantity"],
  },
};
const MOVES = {
  200: {
    description: "The moves written, in one batch with the levels they change",
    ...json({
      type: "object",
      properties: { moves: { type: "array", items: MOVE }, backorders_filled: FILLED },
      required: ["moves", "backorders_filled"],
    }),
  },
  ...errors,
};
const WHY =
  "The caller's role may create stock moves (the warehouse role); the product tracks stock and the warehouse is active (422 naming the field). Taking stock below zero (unless the warehouse allows negative stock) is 409 `insufficient_stock` naming product, requested and available; nothing is written.";

export const inventoryPaths = {
  "/api/actions/inventory/receive": {
    post: {
      operationId: "inventoryReceive",
      summary: `Receive stock into a warehouse at a unit cost: a receipt move, on hand up and the moving average cost repriced exactly. ${WHY}`,
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["product", "warehouse", "quantity"],
        properties: {
          product: id("The product's record id"),
          warehouse: id("The warehouse's record id"),
          quantity: quantity("Units received, above zero"),
          unit_cost: {
            type: "object",
            description: "Left out (a role that may not see costs): booked at the level's current average cost",
            additionalProperties: false,
            required: ["amount"],
            properties: {
              amount: { type: "integer", minimum: 0, maximum: 1e12, description: "Minor units per unit" },
              currency: { type: "string", pattern: "^[A-Z]{3}$", description: "Must be the stock's currency" },
            },
          },
          reference: text(200, "A document number, e.g. the purchase order"),
        },
      }),
      responses: MOVES,
    },
  },
  "/api/actions/inventory/adjust": {
    post: {
      operationId: "inventoryAdjust",
      summary: `Correct on hand after a stock count: an adjustment move with its reason. ${WHY}`,
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["product", "warehouse", "quantity", "reason"],
        properties: {
          product: id("The product's record id"),
          warehouse: id("The warehouse's record id"),
          quantity: quantity("Units to add (negative to take), not zero"),
          reason: text(1000, "Why (required)"),
          reference: text(200, "A document number, e.g. the count sheet"),
        },
      }),
      responses: MOVES,
    },
  },
  "/api/actions/inventory/transfer": {
    post: {
      operationId: "inventoryTransfer",
      summary: `Move stock between two warehouses: transfer_out and transfer_in at the source's average cost, both in one batch. ${WHY}`,
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["product", "from", "to", "quantity"],
        properties: {
          product: id("The product's record id"),
          from: id("The warehouse the stock leaves"),
          to: id("The warehouse it arrives in (not `from`)"),
          quantity: quantity("Units moved, above zero"),
          reference: text(200, "A document number"),
          reason: text(1000, "Why"),
        },
      }),
      responses: MOVES,
    },
  },
  "/api/actions/inventory/ship": {
    post: {
      operationId: "inventoryShip",
      summary:
        "Ship a confirmed or partly shipped order from its warehouse, in one batch: a shipment and its lines, the shipment moves (reserved and on hand down), each line's shipped_quantity and the order's status (partially_shipped or shipped), at the versions read (a racing cancel makes one of the two 409). Lines omitted: everything outstanding that is reserved. More than ordered (`over_shipping`) or reserved (`over_reserved`), a line of another order (`not_in_order`) or an order that does not ship is 422. The warehouse role; 404 for an order the caller may not read.",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["order"],
        properties: {
          order: id("The order's record id"),
          lines: {
            type: "array",
            minItems: 1,
            maxItems: 1000,
            items: {
              type: "object",
              additionalProperties: false,
              required: ["order_line", "quantity"],
              properties: { order_line: id("A line of this order"), quantity: quantity("Units shipped, above zero") },
            },
          },
          carrier: { type: "string", maxLength: 200 },
          tracking_no: { type: "string", maxLength: 200 },
        },
      }),
      responses: {
        200: {
          description: "The shipment",
          ...json({
            type: "object",
            properties: {
              shipment: { type: "integer", description: "The shipment's record id" },
              status: { type: "string", enum: ["partially_shipped", "shipped"] },
              lines: {
                type: "array",
                items: {
                  type: "object",
                  properties: { order_line: { type: "integer" }, quantity: { type: "string" } },
                  required: ["order_line", "quantity"],
                },
              },
            },
            required: ["shipment", "status", "lines"],
          }),
        },
        ...errors,
      },
    },
  },
  "/api/actions/inventory/reserve-backorders": {
    post: {
      operationId: "inventoryReserveBackorders",
      summary:
        "Reserve what is available now in the order's warehouse for its backordered lines, in one batch (reservation moves and each line's backordered_quantity at the version read; a concurrent fill is retried, so nothing is reserved twice). For a confirmed or partly shipped order (else 422 `not_confirmed`); the warehouse role, admins and whoever may change the order (its owner rep); 404 for an order the caller may not read.",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["order"],
        properties: { order: id("The order's record id") },
      }),
      responses: {
        200: {
          description: "The lines reserved now (none when nothing is available or waiting)",
          ...json({
            type: "object",
            properties: {
              order: { type: "integer" },
              lines: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    order_line: { type: "integer" },
                    reserved: { type: "string", description: "Units reserved by this call" },
                    backordered: { type: "string", description: "Units of the line still waiting" },
                  },
                  required: ["order_line", "reserved", "backordered"],
                },
              },
            },
            required: ["order", "lines"],
          }),
        },
        ...errors,
      },
    },
  },
  "/api/actions/inventory/verify": {
    post: {
      operationId: "inventoryVerify",
      summary:
        "Recompute every stock level from the ledger (one grouped sum over the moves) and list the levels that differ; there must be none (admin; also a nightly job).",
      requestBody: json({ type: "object", additionalProperties: false, properties: {} }),
      responses: {
        200: {
          description: "The comparison",
          ...json({
            type: "object",
            properties: {
              levels: { type: "integer", description: "Levels compared" },
              groups: { type: "integer", description: "Ledger groups (product, warehouse, kind) summed" },
              differences: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    level: { type: ["integer", "null"] },
                    key: { type: "string", description: "product id:warehouse id" },
                    level_values: { type: "object" },
                    ledger_values: { type: "object" },
                  },
                  required: ["level", "key", "ledger_values"],
                },
              },
              ms: { type: "integer" },
            },
            required: ["levels", "groups", "differences", "ms"],
          }),
        },
        ...errors,
      },
    },
  },
};
