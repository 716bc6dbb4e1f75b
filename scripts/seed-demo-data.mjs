#!/usr/bin/env node
// Fills the demo workspace with sample customers, contacts, addresses, activities, deals (moved
// through their stages, so the pipeline plugin records stage history) and tasks, zh-CN and en,
// through the public API, signed in as the demo admin. Run by scripts/start.mjs on the first start; by hand:
//   node scripts/seed-demo-data.mjs [--url http://127.0.0.1:8787] [--force] [--scale 0.25]
// --scale multiplies the record counts (the browser tests use a smaller workspace to start faster).
//
// Crash safety: the Worker reports `dataSeeded: false` until this script's last call
// (POST /api/dev/seed {"step":"data-done"}). A run that stopped half-way therefore runs again on the
// next start, and every run first deletes whatever records the demo tables hold, so nothing is
// duplicated. Faker lives only here (a dev dependency), never in the Worker bundle.
import { fakerEN, fakerZH_CN } from "@faker-js/faker";
import { seedDemoInventory } from "./demo-inventory.mjs";
import { seedDemoSales } from "./demo-sales.mjs";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const baseUrl = arg("url", "http://127.0.0.1:8787").replace(/\/$/, "");
const force = args.includes("--force");
const scale = Number(arg("scale", "1"));
if (!(scale > 0 && scale <= 10)) throw new Error("--scale is a number above 0 and at most 10");
const COUNTS = Object.fromEntries(
  Object.entries({ customers: 320, deals: 420, tasks: 560, activities: 640 }).map(([k, n]) => [
    k,
    Math.max(1, Math.round(n * scale)),
  ]),
);
const MAX_PER_REQUEST = 1000;

const zh = fakerZH_CN;
const en = fakerEN;
zh.seed(20260);
en.seed(20261);
const pick = (arr) => en.helpers.arrayElement(arr);
const weighted = (pairs) => en.helpers.weightedArrayElement(pairs.map(([value, weight]) => ({ value, weight })));
const chance = (p) => en.number.float({ min: 0, max: 1 }) < p;
const int = (min, max) => en.number.int({ min, max });

// ---------------------------------------------------------------------------------------------- API

let token = null;
async function call(method, path, body) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // reported below
  }
  if (!res.ok) {
    const detail = json
      ? `${json.detail ?? ""} ${JSON.stringify(json.errors ?? []).slice(0, 2000)}`
      : text.slice(0, 500);
    throw Object.assign(new Error(`${method} ${path} -> ${res.status}: ${detail}`), { status: res.status, body: json });
  }
  return json;
}

async function allIds(table) {
  const ids = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: "1000" });
    if (cursor) q.set("cursor", cursor);
    const page = await call("GET", `/api/tables/${table}/records?${q}`);
    ids.push(...page.records.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

async function clear(table) {
  const ids = await allIds(table);
  for (let i = 0; i < ids.length; i += MAX_PER_REQUEST) {
    await call("DELETE", `/api/tables/${table}/records`, {
      records: ids.slice(i, i + MAX_PER_REQUEST).map((id) => ({ id })),
    });
  }
  return ids.length;
}

/** Creates records in requests of at most 1000; returns their ids in input order. */
async function insert(table, rows) {
  const ids = [];
  for (let i = 0; i < rows.length; i += MAX_PER_REQUEST) {
    const res = await call("POST", `/api/tables/${table}/records`, {
      records: rows.slice(i, i + MAX_PER_REQUEST).map((fields) => ({ fields })),
    });
    ids.push(...res.records.map((r) => r.id));
  }
  return ids;
}

// --------------------------------------------------------------------------------------- vocabulary

const ZH_CITIES = [
  "北京",
  "上海",
  "广州",
  "深圳",
  "杭州",
  "苏州",
  "南京",
  "成都",
  "重庆",
  "武汉",
  "西安",
  "天津",
  "青岛",
  "宁波",
  "厦门",
  "长沙",
  "郑州",
  "合肥",
  "佛山",
  "东莞",
  "无锡",
  "昆明",
  "大连",
  "沈阳",
];
const EN_CITIES = [
  "Singapore",
  "Hong Kong",
  "Sydney",
  "Melbourne",
  "London",
  "Manchester",
  "San Francisco",
  "New York",
  "Chicago",
  "Toronto",
  "Vancouver",
  "Auckland",
  "Dublin",
  "Kuala Lumpur",
  "Bangkok",
];
const ZH_TITLES = [
  "总经理",
  "副总经理",
  "采购经理",
  "采购专员",
  "财务总监",
  "技术总监",
  "IT 经理",
  "运营经理",
  "行政主管",
  "项目经理",
  "生产主管",
  "市场总监",
];
const ZH_PRODUCTS = [
  "ERP 系统实施",
  "CRM 年度订阅",
  "服务器采购",
  "办公设备采购",
  "仓储管理系统",
  "年度维保合同",
  "数据中心扩容",
  "员工培训服务",
  "定制开发项目",
  "网络安全方案",
  "智能工厂改造",
  "物流管理平台",
];
const EN_PRODUCTS = [
  "ERP rollout",
  "CRM annual subscription",
  "Server refresh",
  "Office equipment",
  "Warehouse system",
  "Annual maintenance",
  "Data centre expansion",
  "Staff training",
  "Custom development",
  "Security upgrade",
  "Smart factory pilot",
  "Logistics platform",
];
const ZH_NEXT = [
  "安排产品演示",
  "发送正式报价单",
  "约见采购负责人",
  "确认技术需求",
  "跟进合同审批",
  "邀请客户参观工厂",
  "准备投标文件",
  "确认付款条款",
];
const EN_NEXT = [
  "Schedule a product demo",
  "Send the formal quote",
  "Meet the purchasing lead",
  "Confirm technical requirements",
  "Chase contract approval",
  "Invite them for a site visit",
  "Prepare the tender documents",
  "Agree payment terms",
];
const ZH_LOSS = [
  "价格高于竞争对手",
  "客户预算被削减",
  "客户选择了竞争对手的方案",
  "项目无限期延后",
  "产品功能不满足需求",
  "决策人变更，项目重新评估",
];
const EN_LOSS = [
  "Our price was above the competition",
  "Their budget was cut",
  "They chose a competitor",
  "The project was postponed indefinitely",
  "Missing features they needed",
  "A new decision maker restarted the evaluation",
];
const ZH_TASKS = [
  "电话回访",
  "发送报价",
  "准备演示材料",
  "上门拜访",
  "跟进合同",
  "确认发货时间",
  "整理会议纪要",
  "催收回款",
];
const EN_TASKS = [
  "Follow-up call",
  "Send quote",
  "Prepare demo",
  "Visit customer",
  "Chase contract",
  "Confirm delivery date",
  "Write up meeting notes",
  "Chase payment",
];

const DAY = 86_400_000;
const today = new Date();
today.setUTCHours(0, 0, 0, 0);
const dateIn = (days) => new Date(today.getTime() + days * DAY).toISOString().slice(0, 10);
/** A working-hours time (09:00-18:00 China time) `days` from today, as ISO 8601 UTC. */
const datetimeIn = (days) =>
  new Date(today.getTime() + days * DAY + (int(9, 17) - 8) * 3_600_000 + pick([0, 15, 30, 45]) * 60_000).toISOString();

const mobile = () =>
  `+86 1${pick([3, 5, 7, 8, 9])}${int(0, 9)} ${String(int(0, 9999)).padStart(4, "0")} ${String(int(0, 9999)).padStart(4, "0")}`;
const slug = (s) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 40)
    .replace(/^-+|-+$/g, "") || "company";
const localPart = (s) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9._]+/g, "")
    .replace(/^[._]+|[._]+$/g, "")
    .slice(0, 30) || `user${int(1, 9999)}`;
/** Short form of a Chinese company name for deal titles: 浙江省国芳网络科技股份有限公司 -> 国芳网络科技. */
const zhShort = (name) =>
  name
    .replace(/^(.{2,3}[省市]|.{2,7}自治区)/, "")
    .replace(/(（集团）)?(股份)?有限(责任)?公司$/, "")
    .replace(/集团$/, "") || name;
/** Money in minor units: a log-uniform amount between min and max (major units), rounded to `step`. */
const money = (min, max, step) =>
  Math.round(Math.exp(en.number.float({ min: Math.log(min), max: Math.log(max) })) / step) * step * 100;

// --------------------------------------------------------------------------------------- generators

function customer(owners) {
  const chinese = chance(0.7);
  const f = chinese ? zh : en;
  const company = chance(0.85);
  // zh_CN company names sometimes end in 无限(责任)公司, a legal form nobody trades under.
  const name = company ? f.company.name().replace(/无限(责任)?公司$/, "有限$1公司") : f.person.fullName();
  const domain = chinese ? `${localPart(en.word.noun())}${int(1, 99)}.cn` : `${slug(name)}.com`;
  const tags = en.helpers.arrayElements(
    ["vip", "repeat_buyer", "price_sensitive", "government", "strategic"],
    int(0, 2),
  );
  if (!chinese) tags.push("overseas");
  return {
    chinese,
    fields: {
      name,
      kind: company ? "company" : "individual",
      category: weighted([
        ["key_account", 10],
        ["standard", 45],
        ["prospect", 30],
        ["distributor", 10],
        ["partner", 5],
      ]),
      industry: company
        ? pick([
            "manufacturing",
            "retail",
            "it",
            "finance",
            "healthcare",
            "education",
            "logistics",
            "construction",
            "energy",
            "food",
          ])
        : null,
      source: weighted([
        ["referral", 25],
        ["website", 25],
        ["trade_show", 15],
        ["cold_call", 15],
        ["advertising", 8],
        ["social_media", 8],
        ["partner", 4],
      ]),
      tags,
      grade: weighted([
        ["A", 15],
        ["B", 30],
        ["C", 35],
        ["D", 20],
      ]),
      owner: weighted(owners),
      phone: chinese ? (company ? zh.phone.number() : mobile()) : en.phone.number({ style: "international" }),
      email: company
        ? `${pick(["info", "sales", "contact", "purchasing"])}@${domain}`
        : chinese
          ? zh.internet.email()
          : en.internet.email(),
      website: company ? `https://www.${domain}` : null,
      city: chinese ? pick(ZH_CITIES) : pick(EN_CITIES),
      annual_revenue: company
        ? chinese
          ? { amount: money(2e6, 5e9, 10_000), currency: "CNY" }
          : { amount: money(5e5, 8e8, 1_000), currency: "USD" }
        : null,
    },
  };
}

function contact(c, customerId) {
  const f = c.chinese ? zh : en;
  const first = f.person.firstName();
  const last = f.person.lastName();
  const domain = c.fields.email?.split("@")[1];
  const local = c.chinese ? localPart(en.internet.username()) : localPart(`${first}.${last}`);
  return {
    name: c.chinese ? `${last}${first}` : `${first} ${last}`,
    customer: [customerId],
    title: c.chinese ? pick(ZH_TITLES) : en.person.jobTitle(),
    phone: c.chinese ? mobile() : en.phone.number({ style: "international" }),
    email: domain ? `${local}@${domain}` : f.internet.email(),
  };
}

const OPEN_STAGES = ["first_contact", "needs_discussion", "quote", "negotiation"];

/** A deal (created in the first stage) and the stages it then moves through, ending won, lost or open. */
function deal(c, customerId, contactId, owners) {
  const stage = weighted([
    ["first_contact", 20],
    ["needs_discussion", 20],
    ["quote", 18],
    ["negotiation", 12],
    ["won", 18],
    ["lost", 12],
  ]);
  const open = stage !== "won" && stage !== "lost";
  const product = c.chinese ? pick(ZH_PRODUCTS) : pick(EN_PRODUCTS);
  const who =
    c.fields.kind !== "company" ? c.fields.name : c.chinese ? zhShort(c.fields.name) : c.fields.name.split(/[ ,]/)[0];
  // Won deals pass every open stage; lost ones drop out after some of them.
  const reached =
    stage === "won"
      ? OPEN_STAGES.length
      : stage === "lost"
        ? int(1, OPEN_STAGES.length)
        : OPEN_STAGES.indexOf(stage) + 1;
  const path = [...OPEN_STAGES.slice(1, reached), ...(open ? [] : [stage])];
  return {
    path,
    finalFields:
      stage === "won"
        ? { close_date: dateIn(-int(0, 300)) }
        : stage === "lost"
          ? { loss_reason: c.chinese ? pick(ZH_LOSS) : pick(EN_LOSS) }
          : {},
    fields: {
      name: c.chinese ? `${who} - ${product}` : `${who} – ${product}`,
      customer: [customerId],
      contact: contactId ? [contactId] : [],
      amount: money(5_000, 2_000_000, 100),
      expected_close: open ? dateIn(int(-15, 120)) : dateIn(-int(0, 180)),
      owner: chance(0.8) ? c.fields.owner : weighted(owners),
      next_step: open ? (c.chinese ? pick(ZH_NEXT) : pick(EN_NEXT)) : null,
    },
  };
}

const ZH_ACTIVITIES = {
  call: ["电话沟通需求", "电话回访", "确认报价细节"],
  meeting: ["需求评审会", "方案汇报", "商务谈判"],
  visit: ["上门拜访", "参观工厂"],
  email: ["发送产品资料", "发送报价单"],
  note: ["客户反馈预算有限", "对方决策人变更"],
};
const EN_ACTIVITIES = {
  call: ["Discovery call", "Follow-up call", "Pricing questions"],
  meeting: ["Requirements review", "Solution presentation", "Commercial negotiation"],
  visit: ["On-site visit", "Factory tour"],
  email: ["Sent brochure", "Sent quote"],
  note: ["Budget is tight this quarter", "New decision maker"],
};

function activity(c, customerId, contactIds, dealId) {
  const kind = weighted([
    ["call", 40],
    ["meeting", 20],
    ["visit", 10],
    ["email", 20],
    ["note", 10],
  ]);
  const subject = pick((c.chinese ? ZH_ACTIVITIES : EN_ACTIVITIES)[kind]);
  return {
    subject,
    kind,
    at: datetimeIn(-int(0, 90)),
    customer: [customerId],
    contact: contactIds.length ? [pick(contactIds)] : [],
    deal: dealId ? [dealId] : [],
    owner: c.fields.owner,
    notes: c.chinese ? `${subject}，${pick(ZH_NEXT)}。` : `${subject}; next: ${pick(EN_NEXT).toLowerCase()}.`,
  };
}

function address(c, customerId, kind) {
  const chinese = c.chinese;
  return {
    address: chinese ? `${zh.location.street()}${int(1, 999)}号` : `${en.location.streetAddress()}`,
    customer: [customerId],
    kind,
    city: c.fields.city,
    province: chinese ? zh.location.state() : null,
    postcode: chinese ? String(int(100000, 850000)) : en.location.zipCode(),
    country: chinese ? "中国" : pick(["Singapore", "Australia", "United Kingdom", "United States", "Canada"]),
    is_default: kind === "billing",
  };
}

const TASK_KINDS = { "Follow-up call": "call", 电话回访: "call", "Visit customer": "visit", 上门拜访: "visit" };
/** Offsets a rep keeps on a task (the plugin's `reminders` choices). */
const REMINDERS = [[], ["10m"], ["15m"], ["1h"], ["1d"], ["10m", "1d"]];

/** A one-off task: a follow-up on a deal (with its customer) or a standalone to-do, due within ±a month. */
function task(d, dealId, chinese, owners) {
  d = d?.fields;
  const days = int(-20, 30);
  const title = chinese ? pick(ZH_TASKS) : pick(EN_TASKS);
  const kind = TASK_KINDS[title] ?? (/[Qq]uote|报价|纪要|notes/.test(title) ? "email" : d ? "call" : "to_do");
  const due = datetimeIn(days);
  const done = days < 0 ? chance(0.7) : chance(0.1);
  const timed = kind === "visit" || kind === "meeting";
  return {
    title: d ? (chinese ? `${title}：${d.name.split(" - ")[0]}` : `${title}: ${d.name.split(" – ")[0]}`) : title,
    kind,
    status: done ? "done" : days < -10 && chance(0.15) ? "cancelled" : "open",
    priority: pick(["low", "normal", "normal", "normal", "high", "urgent"]),
    due_at: due,
    start_at: timed ? due : null,
    end_at: timed ? new Date(Date.parse(due) + pick([30, 60, 90]) * 60_000).toISOString() : null,
    assignee: d ? d.owner : weighted(owners),
    customer: d?.customer ?? [],
    deal: dealId ? [dealId] : [],
    reminders: days >= 0 ? pick(REMINDERS) : [],
  };
}

/**
 * Recurring appointments a rep keeps with a key customer: a weekly call (Monday or Friday, 09:30 or
 * 10:00 China time), a fortnightly review meeting, a monthly visit; some end after a number of times.
 */
function recurringTask(c, customerId, contactId, owner) {
  const plan = pick([
    {
      kind: "call",
      rule: `FREQ=WEEKLY;BYDAY=${pick(["MO", "FR"])}`,
      minutes: 30,
      en: "Weekly check-in call",
      zh: "每周电话沟通",
    },
    {
      kind: "meeting",
      rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
      minutes: 60,
      en: "Fortnightly account review",
      zh: "双周客户复盘会",
    },
    { kind: "visit", rule: "FREQ=MONTHLY;BYDAY=1TU", minutes: 120, en: "Monthly site visit", zh: "每月上门拜访" },
    {
      kind: "call",
      rule: "FREQ=MONTHLY;BYMONTHDAY=25;COUNT=6",
      minutes: 20,
      en: "Payment reminder call",
      zh: "回款提醒电话",
    },
  ]);
  // The first occurrence a few weeks back, at 09:30 or 10:00 China time (01:30/02:00 UTC).
  const start = new Date(today.getTime() - int(7, 40) * DAY + pick([90, 120]) * 60_000);
  const name = c.fields.name;
  return {
    title: c.chinese ? `${plan.zh}：${name}` : `${plan.en}: ${name}`,
    kind: plan.kind,
    status: "open",
    priority: "normal",
    start_at: start.toISOString(),
    end_at: new Date(start.getTime() + plan.minutes * 60_000).toISOString(),
    recurrence: plan.rule,
    assignee: owner,
    customer: [customerId],
    contact: contactId ? [contactId] : [],
    location: plan.kind === "visit" ? (c.fields.city ?? null) : null,
    reminders: pick([["10m"], ["15m"], ["1h"], ["10m", "1d"]]),
    notes: c.chinese ? "例行跟进，记录客户反馈。" : "Routine follow-up; note the customer's feedback.",
  };
}

// ------------------------------------------------------------------------------------------ seeding

const state = await call("POST", "/api/dev/seed", {});
if (state.dataSeeded && !force) {
  console.log("[seed] The demo data is already there; nothing to do (--force writes it again).");
  process.exit(0);
}
const admin = state.users.find((u) => u.role === "admin");
token = (await call("POST", "/api/auth/login", { email: admin.email, password: admin.password })).token;

// Owners: the reps carry most accounts, the manager a few key ones.
const owners = state.users
  .filter((u) => u.id && (u.role === "sales_rep" || u.role === "sales_manager"))
  .map((u) => [u.id, u.role === "sales_rep" ? 4 : 1]);
if (!owners.length) throw new Error("No demo sales users to own records");

const cleared = [];
for (const table of [
  "tasks",
  "activities",
  "deal_stage_history",
  "deals",
  "customer_addresses",
  "contacts",
  "customers",
]) {
  const n = await clear(table);
  if (n) cleared.push(`${n} ${table}`);
}
if (cleared.length) console.log(`[seed] Removed records left by an unfinished run: ${cleared.join(", ")}`);

// Customers: a generated name can repeat (or normalise to an existing one); the duplicate check
// answers 409 listing them, and those are left out.
const customers = [];
const customerIds = [];
const generated = Array.from({ length: COUNTS.customers }, () => customer(owners));
for (let i = 0; i < generated.length; i += MAX_PER_REQUEST) {
  let chunk = generated.slice(i, i + MAX_PER_REQUEST);
  for (;;) {
    try {
      const res = await call("POST", "/api/tables/customers/records", {
        records: chunk.map((c) => ({ fields: c.fields })),
      });
      customers.push(...chunk);
      customerIds.push(...res.records.map((r) => r.id));
      break;
    } catch (err) {
      if (!(err.status === 409 && Array.isArray(err.body?.duplicates))) throw err;
      const drop = new Set(err.body.duplicates.map((d) => d.index));
      chunk = chunk.filter((_, k) => !drop.has(k));
    }
  }
}
// A few deliberate duplicates (another spelling of an existing customer) for the merge feature.
for (const i of [0, 1, 2].filter((i) => i < customers.length)) {
  const c = customers[i];
  const variant = c.chinese
    ? c.fields.name.replace(/(股份)?有限(责任)?公司$/, "")
    : `${c.fields.name.toUpperCase()} LTD`;
  await call("POST", "/api/actions/customers/create", {
    fields: { ...c.fields, name: variant, phone: null, email: null, website: null },
    allowDuplicate: true,
  });
}

const contactRows = customers.flatMap((c, i) =>
  c.fields.kind === "company"
    ? Array.from({ length: int(1, 3) }, () => ({ i, fields: contact(c, customerIds[i]) }))
    : [],
);
const contactIds = await insert(
  "contacts",
  contactRows.map((r) => r.fields),
);
const contactsOf = new Map();
contactRows.forEach((r, k) => contactsOf.set(r.i, [...(contactsOf.get(r.i) ?? []), contactIds[k]]));

const addresses = customers.flatMap((c, i) =>
  c.fields.kind === "company"
    ? ["billing", ...(chance(0.6) ? ["shipping"] : [])].map((kind) => address(c, customerIds[i], kind))
    : [],
);
await insert("customer_addresses", addresses);

const dealSources = Array.from({ length: COUNTS.deals }, () => int(0, customers.length - 1));
const deals = dealSources.map((i) => deal(customers[i], customerIds[i], (contactsOf.get(i) ?? [])[0], owners));
const dealIds = await insert(
  "deals",
  deals.map((d) => d.fields),
);

// Walk each deal through its stages, one bulk PATCH per step: the pipeline plugin derives the
// probability, weighted amount and close date, and records every move in deal_stage_history.
const versions = new Map(dealIds.map((id) => [id, 1]));
for (let step = 0; ; step++) {
  const moving = deals.map((d, k) => ({ d, id: dealIds[k] })).filter(({ d }) => d.path.length > step);
  if (moving.length === 0) break;
  for (let i = 0; i < moving.length; i += MAX_PER_REQUEST) {
    const records = moving.slice(i, i + MAX_PER_REQUEST).map(({ d, id }) => ({
      id,
      version: versions.get(id),
      fields: { stage: d.path[step], ...(step === d.path.length - 1 ? d.finalFields : {}) },
    }));
    const res = await call("PATCH", "/api/tables/deals/records", { records });
    for (const r of res.records) versions.set(r.id, r.version);
  }
}

const activities = Array.from({ length: COUNTS.activities }, () => {
  const k = int(0, deals.length - 1);
  const i = chance(0.6) ? dealSources[k] : int(0, customers.length - 1);
  return activity(customers[i], customerIds[i], contactsOf.get(i) ?? [], i === dealSources[k] ? dealIds[k] : null);
});
await insert("activities", activities);

const tasks = Array.from({ length: COUNTS.tasks }, () => {
  if (chance(0.85)) {
    const i = int(0, deals.length - 1);
    return task(deals[i], dealIds[i], customers[dealSources[i]].chinese, owners);
  }
  return task(null, null, chance(0.7), owners);
});
// Recurring calls, meetings and visits with about one customer in eight, kept by the customer's owner.
const recurring = customers.flatMap((c, i) =>
  i % 8 === 0 && c.fields.owner ? [recurringTask(c, customerIds[i], (contactsOf.get(i) ?? [])[0], c.fields.owner)] : [],
);
await insert("tasks", [...tasks, ...recurring]);

// Stock first (warehouses, receipts, adjustments, transfers, reorder points), then the orders that
// reserve and ship it; quotes, orders and payments over the deals just made (the sales plugin computes every total).
const inventory = state.plugins.includes("inventory");
const stock = inventory
  ? await seedDemoInventory(call, { manager: state.users.find((u) => u.role === "warehouse")?.id ?? null })
  : { moves: 0 };
const sales = await seedDemoSales(call, { perStatus: Math.max(1, Math.round(3 * Math.min(scale, 1))), inventory });
// Follow-ups on a few orders: confirm delivery with the customer.
const orderRows = (await call("GET", "/api/tables/orders/records?limit=12")).records;
await insert(
  "tasks",
  orderRows.map((o, i) => ({
    title: i % 2 ? `确认发货时间：${o.fields.number ?? o.id}` : `Confirm delivery date: ${o.fields.number ?? o.id}`,
    kind: "call",
    status: "open",
    priority: "high",
    due_at: datetimeIn(int(1, 14)),
    order: [o.id],
    customer: o.fields.customer ?? [],
    reminders: ["1h"],
  })),
);
await call("POST", "/api/dev/seed", { step: "data-done" });
const moves = deals.reduce((n, d) => n + d.path.length, 0);
console.log(
  `[seed] Demo data written: ${customers.length + 3} customers, ${contactIds.length} contacts, ${addresses.length} addresses, ${deals.length} deals (${moves} stage moves), ${activities.length} activities, ${tasks.length} tasks, ${sales.quotes} quotes, ${sales.orders} orders, ${stock.moves} stock moves`,
);
