/**
 * Exact totals of a quote or order, from its lines. Pure: no I/O, integer minor units and decimal
 * strings only (every product and quotient goes through the SDK's BigInt helpers; never a float).
 *
 * Per line: subtotal = quantity x unit price, discount = subtotal x discount, tax on the discounted
 * amount, each rounded once, half away from zero, to the minor unit; total = subtotal - discount + tax.
 * Document totals are the sums of the line values, so printed lines always add up to the printed total.
 *
 * Rounding "document" taxes the summed net of each rate once and shares that tax out to the lines by
 * largest remainder (ties to the earlier line), so the lines still add up to the document.
 *
 * Prices that include tax: the line's gross (quantity x price, less the discount) is what the customer
 * pays, and the tax is extracted from it; subtotal and discount are shown without tax (the discount
 * without its tax, the subtotal the net plus that discount), so the same identity holds.
 */
import { divRoundHalfUp, includedTax, multiplyMoney, parseDecimal } from "../../worker/plugin-sdk";

export type Rounding = "line" | "document";

export interface TotalsOptions {
  rounding: Rounding;
  pricesIncludeTax: boolean;
}

export interface LineInput {
  /** A positive decimal with at most 3 places, as a string ("2.5") or a number that prints as one. */
  quantity: string | number;
  /** Minor units of the document's currency, >= 0. */
  unitPrice: number;
  /** Basis points, 0..10000. */
  discount: number;
  /** Basis points, >= 0. */
  taxRate: number;
}

export interface LineAmounts {
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
}

export interface DocumentTotals {
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  lines: LineAmounts[];
}

export const MAX_QUANTITY_SCALE = 3;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The quantity's exact decimal, or null when it is not a positive decimal with at most 3 places. */
export function parseQuantity(q: unknown): { units: bigint; scale: number } | null {
  if (typeof q === "number" && !Number.isFinite(q)) return null;
  if (typeof q !== "string" && typeof q !== "number") return null;
  const d = parseDecimal(String(q).trim());
  if (!d || d.units <= 0n) return null;
  // "2.500" is 3 places; "1.0001" is refused rather than rounded.
  let { units, scale } = d;
  while (scale > MAX_QUANTITY_SCALE && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return scale > MAX_QUANTITY_SCALE ? null : { units, scale };
}

function check(l: LineInput, i: number): string {
  const q = parseQuantity(l.quantity);
  const bad = (what: string) => new RangeError(`line ${i}: ${what}`);
  if (!q) throw bad(`quantity ${String(l.quantity)} is not a positive decimal with at most 3 places`);
  if (!Number.isSafeInteger(l.unitPrice) || l.unitPrice < 0) throw bad(`unit price ${l.unitPrice}`);
  if (!Number.isSafeInteger(l.discount) || l.discount < 0 || l.discount > 10_000) throw bad(`discount ${l.discount}`);
  if (!Number.isSafeInteger(l.taxRate) || l.taxRate < 0) throw bad(`tax rate ${l.taxRate}`);
  return `${q.units}e-${q.scale}`;
}

function safe(n: bigint): number {
  if (n > MAX_SAFE || n < -MAX_SAFE) throw new RangeError("amount exceeds the largest safe amount");
  return Number(n);
}

const sum = (xs: readonly bigint[]) => xs.reduce((s, x) => s + x, 0n);

/**
 * Splits round(sum(nums) / den) into integer shares, one per numerator (all >= 0): each gets its floor,
 * the cents left go to the largest remainders, earlier lines first on a tie.
 */
function allocate(nums: readonly bigint[], den: bigint): bigint[] {
  const total = divRoundHalfUp(sum(nums), den);
  const shares = nums.map((n) => n / den);
  let left = total - sum(shares);
  const order = nums.map((n, i) => ({ i, r: n % den })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of order) {
    if (left <= 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares;
}

/** Line and document amounts for `lines`, in the order given. */
export function computeTotals(lines: readonly LineInput[], opts: TotalsOptions): DocumentTotals {
  const qty = lines.map(check);
  // gross: quantity x price; off: the discount on it; after: what is taxed (or holds the tax).
  const gross = lines.map((l, i) => BigInt(multiplyMoney(l.unitPrice, qty[i]!)));
  const off = lines.map((l, i) => BigInt(multiplyMoney(safe(gross[i]!), 1, l.discount)));
  const after = gross.map((g, i) => g - off[i]!);
  const rate = (i: number) => BigInt(lines[i]!.taxRate);
  const den = (i: number) => (opts.pricesIncludeTax ? 10_000n + rate(i) : 10_000n);

  let tax: bigint[];
  if (opts.rounding === "line") {
    tax = after.map((a, i) => divRoundHalfUp(a * rate(i), den(i)));
  } else {
    tax = lines.map(() => 0n);
    const groups = new Map<number, number[]>();
    lines.forEach((l, i) => groups.set(l.taxRate, [...(groups.get(l.taxRate) ?? []), i]));
    for (const idx of groups.values()) {
      const shares = allocate(
        idx.map((i) => after[i]! * rate(i)),
        den(idx[0]!),
      );
      idx.forEach((i, k) => (tax[i] = shares[k]!));
    }
  }

  const out: LineAmounts[] = lines.map((l, i) => {
    if (!opts.pricesIncludeTax) {
      return {
        subtotal: safe(gross[i]!),
        discount: safe(off[i]!),
        tax: safe(tax[i]!),
        total: safe(after[i]! + tax[i]!),
      };
    }
    const net = after[i]! - tax[i]!;
    const discount = off[i]! - BigInt(includedTax(safe(off[i]!), l.taxRate));
    return { subtotal: safe(net + discount), discount: safe(discount), tax: safe(tax[i]!), total: safe(after[i]!) };
  });
  const total = (k: keyof LineAmounts) => safe(sum(out.map((l) => BigInt(l[k]))));
  return {
    subtotal: total("subtotal"),
    discountTotal: total("discount"),
    taxTotal: total("tax"),
    total: total("total"),
    lines: out,
  };
}
