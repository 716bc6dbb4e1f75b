/**
 * The demo workspace's product catalog and price lists: a few hundred products in several categories
 * and units, named in Chinese or English, and three price lists. Made by pure code from fixed tables
 * and a seeded generator, so every workspace gets the same SKUs, names and prices; written by the
 * dev seed (http/dev.ts) through the plugin effects, as the products plugin's own inserts would be.
 */
import type { Principal } from "../auth/principal";
import { loadRegistry } from "../model/registry";
import { findRows, insertEffect, runEffects } from "../plugins/effects";
import { makeRuntime } from "../plugins/runtime";
import { loadPluginState } from "../plugins/state";

type Money = { amount: number; currency: string };

export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  unit: string;
  unit_price: Money;
  cost_price: Money;
  tax_rate: number;
  active: boolean;
  track_stock: boolean;
}

export interface DemoPriceList {
  name: string;
  currency: string;
  valid_from: string | null;
  valid_to: string | null;
  prices_include_tax: boolean;
  /** [index into products, min_quantity or null, unit price in the list's minor units] */
  items: [number, string | null, number][];
}

/** [zh name, en name, unit, list price in yuan] */
type Base = [string, string, string, number];

const CATEGORIES: [code: string, category: string, goods: boolean, bases: Base[]][] = [
  [
    "EL",
    "electronics",
    true,
    [
      ["笔记本电脑", "Laptop", "pcs", 5999],
      ["显示器", "Monitor", "pcs", 1299],
      ["无线鼠标", "Wireless mouse", "pcs", 89],
      ["机械键盘", "Mechanical keyboard", "pcs", 399],
      ["路由器", "Router", "pcs", 259],
      ["投影仪", "Projector", "set", 3499],
      ["移动硬盘", "Portable drive", "pcs", 459],
      ["会议耳机", "Headset", "pcs", 299],
    ],
  ],
  [
    "OF",
    "office",
    true,
    [
      ["A4复印纸", "A4 copy paper", "box", 129],
      ["中性笔", "Gel pens", "box", 36],
      ["文件夹", "File folders", "box", 58],
      ["订书机", "Stapler", "pcs", 25],
      ["白板", "Whiteboard", "pcs", 320],
      ["便利贴", "Sticky notes", "box", 19.9],
      ["计算器", "Calculator", "pcs", 68],
    ],
  ],
  [
    "FU",
    "furniture",
    true,
    [
      ["办公椅", "Office chair", "pcs", 899],
      ["办公桌", "Office desk", "pcs", 1580],
      ["文件柜", "Filing cabinet", "pcs", 760],
      ["会议桌", "Meeting table", "set", 4200],
      ["书架", "Bookshelf", "pcs", 540],
    ],
  ],
  [
    "CO",
    "consumables",
    true,
    [
      ["硒鼓", "Toner cartridge", "pcs", 420],
      ["墨盒", "Ink cartridge", "pcs", 135],
      ["包装胶带", "Packing tape", "m", 0.8],
      ["超五类网线", "Cat5e network cable", "m", 2.5],
      ["清洁布", "Cleaning cloth", "kg", 32],
    ],
  ],
  [
    "TL",
    "tools",
    true,
    [
      ["电钻", "Power drill", "pcs", 489],
      ["螺丝刀套装", "Screwdriver set", "set", 129],
      ["卷尺", "Tape measure", "pcs", 29],
      ["不锈钢丝", "Stainless steel wire", "kg", 46],
      ["焊锡丝", "Solder wire", "kg", 160],
    ],
  ],
  [
    "SW",
    "software",
    false,
    [
      ["办公软件授权", "Office suite licence", "set", 1200],
      ["杀毒软件授权", "Antivirus licence", "set", 260],
      ["客户管理系统订阅", "CRM subscription", "set", 3600],
    ],
  ],
  [
    "SV",
    "services",
    false,
    [
      ["安装调试", "Installation", "hour", 180],
      ["上门维修", "On-site repair", "hour", 220],
      ["操作培训", "Training", "hour", 300],
      ["技术咨询", "Consulting", "hour", 600],
    ],
  ],
];

/** [zh, en, price factor] */
const BRANDS: [string, string, number][] = [
  ["联想", "Lenovo", 1],
  ["得力", "Deli", 0.8],
  ["华为", "Huawei", 1.15],
  ["晨光", "M&G", 0.75],
  ["博世", "Bosch", 1.3],
  ["小米", "Xiaomi", 0.9],
];
const EDITIONS: [string, string, number][] = [
  ["标准版", "Standard", 1],
  ["专业版", "Pro", 1.35],
  ["旗舰版", "Ultra", 1.8],
];

/** mulberry32: a small seeded generator, so the catalog is the same on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yuan (with at most two places) to fen, through integers only. */
const fen = (yuan: number): number => Math.round(yuan * 100);

export function demoCatalog(): { products: DemoProduct[]; priceLists: DemoPriceList[] } {
  const rand = generator(20_260_115);
  const products: DemoProduct[] = [];
  for (const [code, category, goods, bases] of CATEGORIES) {
    let n = 0;
    for (const [zh, en, unit, yuan] of bases) {
      for (const [bi, [bzh, ben, bf]] of BRANDS.entries()) {
        // Each base comes in two brands of the six, every edition: 6 products per base and brand pair.
        if ((bi + zh.length) % 3 !== 0) continue;
        for (const [ezh, een, ef] of EDITIONS) {
          n += 1;
          const list = Math.max(1, fen(yuan * bf * ef * (0.95 + rand() * 0.1)));
          const inChinese = (n + bi) % 2 === 0;
          products.push({
            sku: `${code}-${String(n).padStart(4, "0")}`,
            name: inChinese ? `${bzh} ${zh} ${ezh}` : `${ben} ${en} ${een}`,
            description: inChinese ? `${ben} ${en} (${een})` : `${bzh}${zh}（${ezh}）`,
            category,
            unit,
            unit_price: { amount: list, currency: "CNY" },
            cost_price: { amount: Math.round((list * (55 + Math.floor(rand() * 25))) / 100), currency: "CNY" },
            tax_rate: goods ? 1300 : 600,
            active: rand() > 0.05,
            track_stock: goods,
          });
        }
      }
    }
  }
  const pick = (every: number, from: number) => products.map((_, i) => i).filter((i) => (i + from) % every === 0);
  const priceLists: DemoPriceList[] = [
    {
      name: "经销商价格表 2026 Distributors",
      currency: "CNY",
      valid_from: "2026-01-01",
      valid_to: "2027-12-31",
      prices_include_tax: true,
      items: pick(3, 0).flatMap((i): [number, string | null, number][] => {
        const p = products[i]!.unit_price.amount;
        return [
          [i, null, Math.round(p * 0.9)],
          [i, "10", Math.round(p * 0.85)],
          [i, "100", Math.round(p * 0.8)],
        ];
      }),
    },
    {
      name: "重点客户协议价 Key accounts",
      currency: "CNY",
      valid_from: "2026-01-01",
      valid_to: null,
      prices_include_tax: true,
      items: pick(4, 1).map((i): [number, string | null, number] => [
        i,
        null,
        Math.round(products[i]!.unit_price.amount * 0.92),
      ]),
    },
    {
      name: "Export price list (USD)",
      currency: "USD",
      valid_from: "2026-01-01",
      valid_to: "2026-12-31",
      prices_include_tax: false,
      // CNY fen to USD cents at 7.10 per dollar, rounded to the cent.
      items: pick(7, 2).map((i): [number, string | null, number] => [
        i,
        "1",
        Math.max(1, Math.round(products[i]!.unit_price.amount / 7.1)),
      ]),
    },
  ];
  return { products, priceLists };
}

/** Writes the catalog once: nothing when the products table holds any record. One batch, all or nothing. */
export async function seedDemoCatalog(db: D1Database, principal: Principal, requestId: string | null): Promise<void> {
  const reg = await loadRegistry(db);
  const rt = makeRuntime(
    { db, reg, principal, requestId },
    await loadPluginState(db, reg, true),
    "products",
    new Date().toISOString(),
  );
  const products = rt.maybeTable("products");
  if (!products || (await findRows(rt, products, null, ["sku"], 1)).length > 0) return;
  const { products: rows, priceLists } = demoCatalog();
  const made = await insertEffect(rt, products, rows as unknown as Record<string, unknown>[]);
  const lists = await insertEffect(
    rt,
    rt.table("price_lists"),
    priceLists.map(({ items: _items, ...l }) => l),
  );
  const items = await insertEffect(
    rt,
    rt.table("price_list_items"),
    priceLists.flatMap((l, li) =>
      l.items.map(([i, min, amount]) => ({
        price_list: [lists.ids[li]!],
        product: [made.ids[i]!],
        min_quantity: min,
        unit_price: { amount, currency: l.currency },
      })),
    ),
  );
  await runEffects(db, [...made.statements, ...lists.statements, ...items.statements]);
}
