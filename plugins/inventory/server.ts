/**
 * The inventory plugin's server side: warehouses, the append-only stock ledger and the levels it
 * keeps (levels.ts: one batch per change, balances under CHECKs), reservation on order confirmation
 * and release on cancel (reserve.ts, a hook on sales/orders), shipments (ship.ts), receipts,
 * adjustments and transfers (stock-actions.ts), backorders filled as stock arrives and on request
 * (backorders.ts), low-stock notices (low-stock.ts) and the ledger check
 * (verify.ts, an action and a nightly job).
 */
import type { PluginServer } from "../../worker/plugin-sdk";
import { RESERVE_BACKORDERS_INPUT, clearingBackorders, reserveBackorders } from "./backorders";
import { beforeLevels, beforeOrderLines, beforeWarehouses, onlyByShipAction, readOnly } from "./guards";
import { beforeProducts } from "./level-names";
import { refreshLowStock } from "./low-stock";
import { afterOrders, beforeOrders } from "./reserve";
import { SHIP_INPUT, ship } from "./ship";
import { ADJUST_INPUT, RECEIVE_INPUT, TRANSFER_INPUT, adjust, receive, transfer } from "./stock-actions";
import { verify, verifyLedger } from "./verify";

const server: PluginServer = {
  hooks: {
    warehouses: { beforeWrite: beforeWarehouses },
    stock_moves: {
      beforeWrite: readOnly("stock moves", "The stock ledger is append-only: correct a move with a new one"),
    },
    stock_levels: {
      beforeWrite: beforeLevels,
      // A new reorder point may put a level below it (or above): the flag and notice follow at once.
      afterWrite: (ctx) =>
        refreshLowStock(
          ctx,
          ctx.records.map((r) => r.id),
        ),
    },
    shipments: { beforeWrite: onlyByShipAction("shipments") },
    shipment_lines: { beforeWrite: readOnly("shipment lines", "Shipment lines are made by inventory/ship") },
    "sales/orders": { beforeWrite: clearingBackorders(beforeOrders), afterWrite: afterOrders },
    "sales/order_lines": { beforeWrite: beforeOrderLines },
    "products/products": { beforeWrite: beforeProducts },
  },
  actions: {
    receive: { input: RECEIVE_INPUT, run: receive },
    adjust: { input: ADJUST_INPUT, run: adjust },
    transfer: { input: TRANSFER_INPUT, run: transfer },
    ship: { input: SHIP_INPUT, run: ship },
    "reserve-backorders": { input: RESERVE_BACKORDERS_INPUT, run: reserveBackorders },
    verify: { input: { type: "object", additionalProperties: false, properties: {} }, run: verify },
  },
  jobs: {
    verify: {
      everyMinutes: 24 * 60,
      run: async (rt) => {
        const r = await verifyLedger(rt);
        if (r.differences.length)
          console.error(`inventory verify: ${r.differences.length} levels differ from the ledger`);
        return { levels: r.levels, differences: r.differences.length, ms: r.ms };
      },
    },
  },
};

export default server;
