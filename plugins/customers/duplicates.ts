/**
 * Finding likely duplicates of customers by their keys (keys.ts). A match the caller may read comes
 * back with its id and name; one they may not read is only counted, so the check warns a rep that
 * the customer exists (and belongs to someone) without showing whose or what it holds.
 */
import {
  accessTo,
  cond,
  findRows,
  or,
  permittedIds,
  type BoundTable,
  type FilterNode,
  type Runtime,
} from "../../worker/plugin-sdk";
import { emailKey, nameKey, phoneKey } from "./keys";

export type MatchKind = "name" | "phone" | "email";
export interface Keys {
  name_key: string | null;
  phone_key: string | null;
  email_key: string | null;
}
export interface Match {
  id?: number;
  name?: string;
  matchedOn: MatchKind[];
  hidden?: true;
}

export function keysOf(values: Record<string, unknown>): Keys {
  return { name_key: nameKey(values.name), phone_key: phoneKey(values.phone), email_key: emailKey(values.email) };
}

const KINDS: [MatchKind, keyof Keys][] = [
  ["name", "name_key"],
  ["phone", "phone_key"],
  ["email", "email_key"],
];

function matchedOn(a: Keys, b: Record<string, unknown>): MatchKind[] {
  return KINDS.filter(([, k]) => a[k] !== null && a[k] === b[k]).map(([kind]) => kind);
}

/** Stored customers matching each candidate (by index), leaving out `exclude` ids. */
export async function findMatches(
  rt: Runtime,
  t: BoundTable,
  candidates: Keys[],
  exclude: Set<number> = new Set(),
): Promise<Map<number, Match[]>> {
  const parts: FilterNode[] = [];
  for (const [, k] of KINDS) {
    const values = [...new Set(candidates.map((c) => c[k]).filter((v): v is string => v !== null))];
    if (values.length) parts.push(cond(t, k, "in", values));
  }
  const out = new Map<number, Match[]>();
  if (parts.length === 0) return out;
  const rows = (await findRows(rt, t, or(...parts), ["name", "name_key", "phone_key", "email_key"], 2000)).filter(
    (r) => !exclude.has(r.id),
  );
  const access = accessTo(rt, t);
  const readable = await permittedIds(
    rt,
    t,
    "read",
    rows.map((r) => r.id),
  );
  const showName = access.may("read") && access.canRead(t.field("name"));
  candidates.forEach((c, i) => {
    const matches = rows.flatMap((r): Match[] => {
      const on = matchedOn(c, r.values);
      if (!on.length) return [];
      return [
        readable.has(r.id)
          ? { id: r.id, ...(showName ? { name: r.values.name as string } : {}), matchedOn: on }
          : { matchedOn: on, hidden: true },
      ];
    });
    if (matches.length) out.set(i, matches);
  });
  return out;
}

/** Candidates in one request that match each other: index -> earlier indexes they repeat. */
export function matchesWithin(candidates: Keys[]): Map<number, { index: number; matchedOn: MatchKind[] }[]> {
  const out = new Map<number, { index: number; matchedOn: MatchKind[] }[]>();
  candidates.forEach((c, i) => {
    const earlier = candidates.slice(0, i).flatMap((d, j) => {
      const on = matchedOn(c, d as unknown as Record<string, unknown>);
      return on.length ? [{ index: j, matchedOn: on }] : [];
    });
    if (earlier.length) out.set(i, earlier);
  });
  return out;
}
