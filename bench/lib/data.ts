/** Deterministic deal-like records and query parameters (seeded PRNG, so runs are comparable). */

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const STAGES = ["first_contact", "needs_discussion", "quote", "negotiation", "won", "lost"] as const;
export const REGIONS = ["north", "east", "south", "west", "central"] as const;
/** First word of a deal name: `contains` filters pick one of these (each ~1/24 of rows). */
export const NAME_WORDS = [
  "Acme",
  "Apex",
  "Atlas",
  "Beacon",
  "Cedar",
  "Cobalt",
  "Delta",
  "Ember",
  "Falcon",
  "Granite",
  "Harbor",
  "Ivory",
  "Juniper",
  "Keystone",
  "Lumen",
  "Maple",
  "Nimbus",
  "Orchid",
  "Pioneer",
  "Quartz",
  "Raven",
  "Summit",
  "Tidal",
  "Vertex",
] as const;
const PRODUCTS = [
  "Renewal",
  "Expansion",
  "Pilot",
  "Upgrade",
  "Rollout",
  "Licence",
  "Support",
  "Migration",
  "Bundle",
  "Onboarding",
  "Hardware",
  "Training",
];
const CUSTOMER_A = [
  "Shanghai",
  "Beijing",
  "Shenzhen",
  "Hangzhou",
  "Chengdu",
  "Wuhan",
  "Nanjing",
  "Suzhou",
  "Xiamen",
  "Tianjin",
];
const CUSTOMER_B = [
  "Trading",
  "Logistics",
  "Foods",
  "Electronics",
  "Textiles",
  "Pharma",
  "Motors",
  "Retail",
  "Energy",
  "Media",
];
const NOTE_WORDS = [
  "call",
  "follow",
  "up",
  "budget",
  "approved",
  "pending",
  "legal",
  "review",
  "demo",
  "scheduled",
  "pricing",
  "discount",
  "procurement",
  "signed",
  "next",
  "quarter",
  "decision",
  "maker",
  "visit",
  "trial",
];

export const AMOUNT_MAX = 5_000_000_00; // minor units (5,000,000.00 CNY)
const DAY = 86_400_000;
const DATE_START = Date.UTC(2025, 0, 1);

export const DEALS_TABLE = {
  name: "deals",
  label: "Deals",
  labels: { en: "Deals", "zh-CN": "商机" },
  fields: [
    { name: "name", type: "text", required: true },
    { name: "customer", type: "text" },
    { name: "amount", type: "currency", indexed: true, options: { currency: "CNY" } },
    { name: "stage", type: "single_select", options: { choices: STAGES.map((name) => ({ name })) } },
    { name: "probability", type: "percent" },
    { name: "expected_close", type: "date", indexed: true },
    { name: "owner", type: "user" },
    { name: "region", type: "single_select", options: { choices: REGIONS.map((name) => ({ name })) } },
    { name: "notes", type: "long_text" },
    { name: "won", type: "checkbox" },
  ],
};

/** The view a rep's grid opens: their deals, largest first. */
export const DEALS_VIEW = {
  name: "pipeline_by_amount",
  table: "deals",
  type: "grid",
  label: "Pipeline by amount",
  sort: [{ field: "amount", direction: "desc" }],
};

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

export function makeDeal(r: () => number, n: number, owners: string[]) {
  const stage = pick(r, STAGES);
  const words = 4 + Math.floor(r() * 12);
  const notes: string[] = [];
  for (let i = 0; i < words; i++) notes.push(pick(r, NOTE_WORDS));
  return {
    fields: {
      name: `${pick(r, NAME_WORDS)} ${pick(r, PRODUCTS)} ${n}`,
      customer: `${pick(r, CUSTOMER_A)} ${pick(r, CUSTOMER_B)} Co., Ltd.`,
      amount: Math.floor(r() * AMOUNT_MAX),
      stage,
      probability: Math.floor(r() * 101) * 100,
      expected_close: new Date(DATE_START + Math.floor(r() * 730) * DAY).toISOString().slice(0, 10),
      owner: pick(r, owners),
      region: pick(r, REGIONS),
      notes: notes.join(" "),
      won: stage === "won",
    },
  };
}

export type QueryKind = "page" | "contains" | "count" | "own";

export const QUERY_LABELS: Record<QueryKind, string> = {
  page: "(a) filter + sort page of 50",
  contains: "(b) (a) + name contains",
  count: "(c) count=true, limit=1",
  own: "(a) as a rep, `own` rows",
};

export const QUERY_DESCRIPTIONS: Record<QueryKind, string> = {
  page: "`filter={and:[stage eq S, amount lte C]}`, `sort=-amount`, `limit=50` (S rotates over the 6 stages, C random in the top 80% of the amount range)",
  contains: "as (a) plus `name contains W` (W one of 24 first words of the name, ~1/24 of rows)",
  count:
    "the filter of (a), `sort=-amount`, `limit=1`, `count=true` (the page statement and a COUNT(*) in one D1 batch)",
  own: "(a) requested by a user whose only role (`sales_rep`) has `read: own` on deals, so the access engine adds its row filter (owner is the user; ~1/5 of rows: the admin and 4 reps own one fifth each). The table has a view sorted by amount (`pipeline_by_amount`), which gives it the (owner, amount) index",
};

export interface QuerySpec {
  kind: QueryKind;
  filter: unknown;
  sort: string;
  limit: number;
  count: boolean;
}

/** The i-th query of a kind: every one has its own filter values. */
export function makeQueries(kind: QueryKind, n: number, seed: number): QuerySpec[] {
  const r = rng(seed);
  const out: QuerySpec[] = [];
  for (let i = 0; i < n; i++) {
    const stage = STAGES[(i + Math.floor(r() * STAGES.length)) % STAGES.length]!;
    const cap = Math.floor(AMOUNT_MAX * (0.2 + 0.8 * r()));
    const base = [
      { field: "stage", op: "eq", value: stage },
      { field: "amount", op: "lte", value: cap },
    ];
    if (kind === "contains") base.push({ field: "name", op: "contains", value: pick(r, NAME_WORDS) } as never);
    out.push({
      kind,
      filter: { and: base },
      sort: "-amount",
      limit: kind === "count" ? 1 : 50,
      count: kind === "count",
    });
  }
  return out;
}

export function queryString(q: QuerySpec): string {
  const p = new URLSearchParams({ filter: JSON.stringify(q.filter), sort: q.sort, limit: String(q.limit) });
  if (q.count) p.set("count", "true");
  return p.toString();
}
