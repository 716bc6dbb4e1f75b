/**
 * Low stock: a level is low while available < reorder_point. `low_stock` records it, set and cleared
 * by a version-guarded update together with the notification, so each crossing below notifies once
 * (the warehouse's manager and the users the settings name), not every move below it. Runs after a
 * move's batch committed; a failure is retried and never undoes the move.
 */
import { findByIds, notifyEffect, runEffects, updateEffect, type Runtime, type Stmt } from "../../worker/plugin-sdk";
import { qty, stored } from "./quantities";
import { loadWarehouses } from "./subjects";

const linkId = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);

export async function refreshLowStock(rt: Runtime, levelIds: number[]): Promise<void> {
  if (levelIds.length === 0) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await once(rt, levelIds);
      return;
    } catch (err) {
      if (attempt === 2) console.error("low-stock check failed:", err instanceof Error ? err.message : err);
    }
  }
}

async function once(rt: Runtime, levelIds: number[]): Promise<void> {
  const t = rt.table("stock_levels");
  const keys = ["product", "warehouse", "available", "reorder_point", "reorder_quantity", "low_stock"];
  const rows = await findByIds(rt, t, [...new Set(levelIds)], keys);
  const changed = rows.filter((r) => {
    const point = r.values.reorder_point;
    const low = point !== null && point !== undefined && stored(r.values.available) < stored(point);
    return low !== (r.values.low_stock === true);
  });
  if (changed.length === 0) return;
  const warehouses = await loadWarehouses(
    rt,
    changed.map((r) => linkId(r.values.warehouse)).filter((x): x is number => x !== null),
  );
  const settings = await rt.settings();
  const picked = Array.isArray(settings.lowStockRecipients) ? (settings.lowStockRecipients as string[]) : [];
  const stmts: Stmt[] = [];
  for (const r of changed) {
    const low = r.values.low_stock !== true;
    stmts.push(...updateEffect(rt, t, [{ id: r.id, version: r.version, before: r.values, set: { low_stock: low } }]));
    if (!low) continue;
    const w = warehouses.get(linkId(r.values.warehouse) ?? 0);
    const product = linkId(r.values.product);
    const available = qty(stored(r.values.available));
    const point = qty(stored(r.values.reorder_point));
    const suggest = qty(stored(r.values.reorder_quantity));
    for (const user of new Set([...(w?.manager ? [w.manager] : []), ...picked]))
      stmts.push(
        ...notifyEffect(rt, {
          user,
          kind: "low_stock",
          title: { en: `Low stock in ${w?.label ?? "a warehouse"}`, "zh-CN": `${w?.label ?? "仓库"}库存不足` },
          body: {
            en: `Product ${product}: ${available} available, reorder point ${point}; suggested reorder ${suggest}.`,
            "zh-CN": `产品 ${product}：可用 ${available}，再订货点 ${point}；建议补货 ${suggest}。`,
          },
          record: { table: t, id: r.id },
          // One per crossing: the level's version at the crossing names it.
          dedupeKey: `low-${r.id}-${r.version}`,
        }),
      );
  }
  await runEffects(rt.db, stmts);
}
