/**
 * Available stock of a product for a document, by exact decimal arithmetic: quantities are decimal strings
 * (scale 3, "12.500") read as BigInt units, so a sum over warehouses or a comparison with a line's quantity
 * never passes through a float.
 */

/** Decimal places of stock quantities and line quantities (both fields have scale 3). */
export const QTY_SCALE = 3;

/** "12.5" -> 12500n at scale 3; null when the text is not a plain decimal or has more places than `scale`. */
export function toUnits(text: string, scale = QTY_SCALE): bigint | null {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || ((m[2] ?? "") === "" && (m[3] ?? "") === "")) return null;
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > scale) return null;
  const units = BigInt((m[2] || "0") + frac.padEnd(scale, "0"));
  return m[1] === "-" ? -units : units;
}

/** 12500n -> "12.500" at scale 3; -5n -> "-0.005". */
export function fromUnits(units: bigint, scale = QTY_SCALE): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(scale + 1, "0");
  const body = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return neg ? `-${body}` : body;
}

/** One warehouse's share of what is available. */
export interface WarehouseAvailable {
  id: number;
  name: string;
  available: string;
}

/** What is available of a product for a document: one warehouse's level (an order), or a sum (a quote). */
export interface Availability {
  available: string;
  byWarehouse: WarehouseAvailable[];
}

/**
 * The product's availability over `warehouses`, from levels keyed `${product}/${warehouse}` (as
 * sg-stock's `loadLevels` answers them). A warehouse holding no level of the product counts as 0.
 */
export function availabilityOf(
  levels: ReadonlyMap<string, { available: string }>,
  productId: number,
  warehouses: readonly { id: number; name: string }[],
): Availability {
  let total = 0n;
  const byWarehouse = warehouses.map((w) => {
    const units = toUnits(levels.get(`${productId}/${w.id}`)?.available ?? "0") ?? 0n;
    total += units;
    return { id: w.id, name: w.name, available: fromUnits(units) };
  });
  return { available: fromUnits(total), byWarehouse };
}

/** Whether less is available than the line's quantity (exactly; an unreadable quantity is never short). */
export function isShort(available: string, quantity: unknown): boolean {
  const need = toUnits(String(quantity ?? ""));
  const have = toUnits(available);
  return need !== null && have !== null && have < need;
}

/**
 * The document's quantity of each product over all its lines (unreadable quantities left out): what
 * confirming would reserve, so two lines of one product are held against its stock together.
 */
export function quantitiesByProduct(lines: { product: number | null; quantity: unknown }[]): Map<number, string> {
  const units = new Map<number, bigint>();
  for (const l of lines) {
    const q = toUnits(String(l.quantity ?? ""));
    if (l.product === null || q === null) continue;
    units.set(l.product, (units.get(l.product) ?? 0n) + q);
  }
  return new Map([...units].map(([p, u]) => [p, fromUnits(u)]));
}
