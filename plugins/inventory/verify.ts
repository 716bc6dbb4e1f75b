/**
 * inventory/verify (admins; also a nightly job): every level recomputed from the ledger in one
 * grouped sum over the moves, compared with what the level holds. There must be no difference: the
 * balances only ever change in the batch that writes their moves.
 */
import { findRows, requireAdmin, sumRows, type ActionContext, type Runtime } from "../../worker/plugin-sdk";
import { TOUCHES, type MoveKind } from "./kinds";
import { levelKey } from "./levels";
import { qty, stored } from "./quantities";

interface Sums {
  onHand: bigint;
  reserved: bigint;
}

export async function verifyLedger(rt: Runtime) {
  const started = Date.now();
  const moves = rt.table("stock_moves");
  const ledger = new Map<string, Sums>();
  let count = 0;
  for (const { groups, sum } of await sumRows(rt, moves, ["product", "warehouse", "kind"], "quantity")) {
    const [product, warehouse, kind] = groups as [number, number, string];
    const touches = TOUCHES[kind as MoveKind];
    if (!touches) continue;
    const k = levelKey(Number(product), Number(warehouse));
    const s = ledger.get(k) ?? { onHand: 0n, reserved: 0n };
    if (touches.onHand) s.onHand += sum;
    if (touches.reserved) s.reserved += sum;
    ledger.set(k, s);
    count++;
  }
  const levels = await findRows(rt, rt.table("stock_levels"), null, ["key", "on_hand", "reserved", "available"]);
  const differences: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const l of levels) {
    const key = String(l.values.key);
    seen.add(key);
    const want = ledger.get(key) ?? { onHand: 0n, reserved: 0n };
    const have = {
      onHand: stored(l.values.on_hand),
      reserved: stored(l.values.reserved),
      available: stored(l.values.available),
    };
    if (
      have.onHand !== want.onHand ||
      have.reserved !== want.reserved ||
      have.available !== want.onHand - want.reserved
    )
      differences.push({
        level: l.id,
        key,
        level_values: { on_hand: qty(have.onHand), reserved: qty(have.reserved), available: qty(have.available) },
        ledger_values: {
          on_hand: qty(want.onHand),
          reserved: qty(want.reserved),
          available: qty(want.onHand - want.reserved),
        },
      });
  }
  for (const [key, want] of ledger)
    if (!seen.has(key) && (want.onHand !== 0n || want.reserved !== 0n))
      differences.push({
        level: null,
        key,
        ledger_values: { on_hand: qty(want.onHand), reserved: qty(want.reserved) },
      });
  return { levels: levels.length, groups: count, differences, ms: Date.now() - started };
}

export async function verify(ctx: ActionContext) {
  requireAdmin(ctx.principal, "verify the stock ledger");
  return verifyLedger(ctx);
}
