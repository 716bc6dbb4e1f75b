/**
 * A level's name, what it is called wherever it is linked (a product's page, a warehouse's): the
 * product's SKU and the warehouse's code, "A-100 · SH". Written with the level (levels.ts) and
 * rewritten in the same batch as a rename of either, so a level never shows ids or an old name.
 */
import {
  addEffect,
  cond,
  findRows,
  or,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type Stmt,
} from "../../worker/plugin-sdk";

const JOIN = " · ";

export const levelName = (sku: string, code: string) => `${sku}${JOIN}${code}`;

/** The name with its SKU or its code replaced; null for a name not of that form (an older level). */
export function renamedLevel(name: string, part: { sku: string } | { code: string }): string | null {
  const at = name.lastIndexOf(JOIN);
  if (at < 0) return null;
  return "sku" in part ? levelName(part.sku, name.slice(at + JOIN.length)) : levelName(name.slice(0, at), part.code);
}

/** Records per read of their levels: one bound parameter each, under D1's 100 per statement. */
const PER_READ = 90;

/**
 * The statements renaming the levels of the records whose `key` (sku on products, code on warehouses)
 * this write changes; the levels are found through their `link` (product or warehouse) to them, the
 * levels of all renamed records in one read (per 90 records).
 */
export async function renameLevelsOf(
  ctx: BeforeWriteContext,
  key: "sku" | "code",
  link: "product" | "warehouse",
): Promise<Stmt[]> {
  if (ctx.op !== "update") return [];
  const levels = ctx.table("stock_levels");
  if (!levels.maybeField("name")) return [];
  const renamed = new Map<number, string>();
  for (const r of ctx.records)
    if (r.written(key) && r.after[key] !== r.before?.[key]) renamed.set(r.id, String(r.after[key] ?? ""));
  const ids = [...renamed.keys()];
  const statements: Stmt[] = [];
  for (let i = 0; i < ids.length; i += PER_READ) {
    const chunk = ids.slice(i, i + PER_READ);
    const rows = await findRows(ctx, levels, or(...chunk.map((id) => cond(levels, link, "contains", id))), [
      "name",
      link,
    ]);
    const sets = rows.flatMap((l) => {
      const value = renamed.get((l.values[link] as number[] | null)?.[0] ?? 0);
      if (value === undefined) return [];
      const name = renamedLevel(String(l.values.name ?? ""), key === "sku" ? { sku: value } : { code: value });
      return name === null ? [] : [{ id: l.id, set: { name } }];
    });
    statements.push(...addEffect(ctx, levels, sets));
  }
  return statements;
}

/** Products: a new SKU renames the product's levels in the same batch. */
export async function beforeProducts(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  return { statements: await renameLevelsOf(ctx, "sku", "product") };
}
