// Demo stock, through the public API (so the inventory plugin writes every move and level itself):
// three warehouses (Shanghai the default), receipts at cost for every stocked product, a second receipt
// at another cost for some (the moving average), stock-count adjustments with their reason, transfers
// between warehouses, and reorder points, some above what is there (low-stock flags and notifications
// for the warehouse manager). Runs before the demo orders (scripts/demo-sales.mjs), which confirm and
// ship against this stock. Deterministic; written once: a workspace that holds a warehouse gets nothing.
// `call(method, path, body)` is the caller's API client signed in as the demo admin.

const WAREHOUSES = [
  { code: "SH", name: "上海总仓 Shanghai main", address: "上海市闵行区申长路 988 号", is_default: true },
  { code: "BJ", name: "北京仓 Beijing", address: "北京市大兴区金星西路 18 号", is_default: false },
  { code: "GZ", name: "广州仓 Guangzhou", address: "广州市黄埔区开创大道 2001 号", is_default: false },
];

async function all(call, table) {
  const out = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: "1000" });
    if (cursor) q.set("cursor", cursor);
    const page = await call("GET", `/api/tables/${table}/records?${q}`);
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Runs `jobs` (functions returning promises) with at most `n` in flight, in order of start. */
async function pool(jobs, n = 6) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

const linked = (v) => (Array.isArray(v) && v.length ? (typeof v[0] === "object" ? v[0].id : v[0]) : null);

/**
 * Writes the demo stock. `manager`: the user id of the warehouses' manager (the demo warehouse clerk),
 * told about low stock. Returns what it wrote.
 */
export async function seedDemoInventory(call, { manager = null } = {}) {
  const none = { warehouses: 0, moves: 0, low: 0 };
  if ((await call("GET", "/api/tables/warehouses/records?limit=1")).records.length) return none;
  const made = await call("POST", "/api/tables/warehouses/records", {
    records: WAREHOUSES.map((w) => ({ fields: { ...w, manager, active: true } })),
  });
  const [sh, bj, gz] = made.records.map((r) => r.id);
  const products = (await all(call, "products")).filter((p) => p.fields.track_stock).sort((a, b) => a.id - b.id);
  if (!products.length) return { ...none, warehouses: 3 };
  const cost = (p) =>
    p.fields.cost_price?.amount ?? Math.max(1, Math.round((p.fields.unit_price?.amount ?? 100) * 0.6));
  const act = (name, body) => call("POST", `/api/actions/inventory/${name}`, body);
  let moves = 0;
  const receipt = (p, warehouse, quantity, amount, reference) => async () => {
    await act("receive", { product: p.id, warehouse, quantity, unit_cost: { amount }, reference });
    moves += 1;
  };

  // Receipts: every stocked product in Shanghai (enough for the demo orders), some in Beijing and Guangzhou.
  const first = [];
  const later = [];
  products.forEach((p, i) => {
    first.push(receipt(p, sh, String(300 + ((i * 37) % 400)), cost(p), `PO-2026-${String(1000 + i).padStart(5, "0")}`));
    if (i % 3 === 0) first.push(receipt(p, bj, String(20 + ((i * 13) % 60)), cost(p), `PO-2026-${String(3000 + i)}`));
    if (i % 4 === 1) first.push(receipt(p, gz, String(10 + ((i * 7) % 40)), cost(p), `PO-2026-${String(5000 + i)}`));
    // A second delivery at another price moves the average cost.
    if (i % 6 === 0)
      later.push(receipt(p, sh, "50", Math.round(cost(p) * 1.08), `PO-2026-${String(7000 + i).padStart(5, "0")}`));
  });
  await pool(first);
  await pool(later);

  // Stock counts found a few units missing (or extra), with the reason recorded on the move.
  await pool(
    products
      .map((p, i) => [p, i])
      .filter(([, i]) => i % 10 === 3)
      .map(([p, i]) => async () => {
        const extra = i % 20 === 3;
        await act("adjust", {
          product: p.id,
          warehouse: sh,
          quantity: extra ? "2" : String(-(1 + (i % 3))),
          reason: extra ? "盘点盘盈 Stock count: found in the wrong bin" : "盘点差异 Stock count: damaged in storage",
          reference: `CC-2026-${String(i).padStart(4, "0")}`,
        });
        moves += 1;
      }),
  );
  // Transfers from the main warehouse to the south.
  await pool(
    products
      .filter((_, i) => i % 15 === 0)
      .map((p, n) => async () => {
        await act("transfer", {
          product: p.id,
          from: sh,
          to: gz,
          quantity: String(10 + n),
          reference: `TR-2026-${String(n + 1).padStart(4, "0")}`,
          reason: "补充华南库存 Restock South China",
        });
        moves += 2;
      }),
  );

  // Reorder points: every level gets one; about one in nine sits below it (low stock, the manager notified).
  const levels = (await all(call, "stock_levels")).sort((a, b) => a.id - b.id);
  const records = levels.map((l, i) => {
    const available = Number(l.fields.available);
    const low = i % 9 === 4 && linked(l.fields.warehouse) !== sh;
    const point = low ? Math.ceil(available) + 15 : Math.max(5, Math.floor(available / 4));
    return {
      id: l.id,
      version: l.version,
      fields: { reorder_point: String(point), reorder_quantity: String(point * 3) },
    };
  });
  for (let i = 0; i < records.length; i += 500)
    await call("PATCH", "/api/tables/stock_levels/records", { records: records.slice(i, i + 500) });
  const low = levels.filter((_, i) => i % 9 === 4 && linked(levels[i].fields.warehouse) !== sh).length;
  return { warehouses: 3, moves, low };
}
