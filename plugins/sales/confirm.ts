/**
 * `sales/confirm-order {order, version?}`: an order's draft -> confirmed as one action, for integrations
 * and buttons that confirm without editing. It is the caller's own update of the order's status, made
 * by the records pipeline (access, row rules, version, every plugin's hooks: inventory reserves the
 * stocked lines in the same batch, or the whole change answers 409 insufficient_stock).
 */
import { AppError, readRecord, runEffects, updateRecordsEffect, type ActionContext } from "../../worker/plugin-sdk";

const id = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

export const CONFIRM_INPUT = {
  type: "object",
  additionalProperties: false,
  required: ["order"],
  properties: { order: id, version: id },
};

export async function confirmOrder(ctx: ActionContext) {
  const { order: orderId, version } = ctx.input as unknown as { order: number; version?: number };
  const orders = ctx.table("orders");
  const status = orders.field("status").name;
  // As the caller reads it: 404 for an order they may not see.
  const current = await readRecord(ctx, orders, orderId);
  if (current.fields[status] !== "draft")
    throw new AppError(
      "conflict",
      `Order ${String(current.fields[orders.field("number").name] ?? orderId)} is not a draft`,
      [{ field: "order", code: "not_draft", message: `The order is ${String(current.fields[status])}` }],
    );
  // Without a version: the one just read; a concurrent change between makes the batch's guard answer 409.
  const write = await updateRecordsEffect(ctx, orders, {
    records: [{ id: orderId, version: version ?? current.version, fields: { [status]: "confirmed" } }],
  });
  await runEffects(ctx.db, write.statements, { onCheck: write.onCheck });
  await write.afterWrite();
  return { order: await readRecord(ctx, orders, orderId) };
}
