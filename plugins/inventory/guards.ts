/**
 * The ledger is append-only and levels are the ledger's to change: no client, admins included,
 * creates, updates or deletes a move or a level through the records API (403); the actions write
 * them as system effects, which run no hooks. Shipments are made only by inventory/ship; a clerk may
 * still fill in carrier and tracking number.
 */
import { forbidden, type BeforeWriteContext } from "../../worker/plugin-sdk";

export function readOnly(what: string, why: string) {
  return (ctx: BeforeWriteContext) => {
    throw forbidden(`${ctx.op} ${what}`, why);
  };
}

const EDITABLE = new Set(["carrier", "tracking_no"]);

export function onlyByShipAction(what: string) {
  return (ctx: BeforeWriteContext) => {
    if (ctx.op !== "update")
      throw forbidden(`${ctx.op} ${what}`, `${what} are made by inventory/ship and never deleted`);
    const fixed = ctx.target.keys().filter((k) => !EDITABLE.has(k));
    for (const r of ctx.records)
      for (const k of fixed)
        if (r.written(k))
          throw forbidden(`change ${k} of ${what}`, `Only carrier and tracking number of ${what} change`);
  };
}

/** New warehouses are active unless the request says otherwise. */
export function beforeWarehouses(ctx: BeforeWriteContext) {
  if (ctx.op === "create") for (const r of ctx.records) if (!r.written("active")) r.set("active", true);
}
