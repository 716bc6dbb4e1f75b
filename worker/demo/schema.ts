/**
 * The demo workspace: the sales plugins it installs (customers and pipeline, from plugins/), and
 * the tables it still makes by hand, as an admin would send them to POST /api/meta/tables, created
 * after the plugins (links point at tables that exist). Labels carry zh-CN and en; the module names
 * follow the scope document (客户管理, 销售跟踪, 任务和日程管理).
 */
import type { FieldInput, TableInput } from "../../schemas/types";

type L = { en: string; "zh-CN": string };
const l = (en: string, zh: string): L => ({ en, "zh-CN": zh });

function field(name: string, type: FieldInput["type"], labels: L, extra: Partial<FieldInput> = {}): FieldInput {
  return { name, type, label: labels.en, labels, ...extra };
}

const tasks: TableInput = {
  name: "tasks",
  label: "Tasks",
  labels: l("Tasks", "任务"),
  description: "Follow-ups, calls and visits.",
  primaryField: "title",
  fields: [
    field("title", "text", l("Title", "标题"), { required: true, options: { maxLength: 300 } }),
    field("due", "datetime", l("Due", "截止时间"), { indexed: true }),
    field("done", "checkbox", l("Done", "已完成")),
    field("assignee", "user", l("Assignee", "执行人"), { indexed: true }),
    field("deal", "link", l("Deal", "销售机会"), {
      options: { table: "deals", multiple: false, inverseName: "tasks" },
    }),
  ],
};

/** Created after the plugins, in this order. */
export const DEMO_TABLES: readonly TableInput[] = [tasks];

/**
 * Plugins the demo workspace installs, in dependency order: customers, contacts, addresses, activities, deals,
 * pipelines, stage history; the product catalog and price lists (seeded from catalog.ts); quotes, orders and
 * payments (sample documents from scripts/demo-sales.mjs); warehouses and stock (scripts/demo-inventory.mjs).
 */
export const DEMO_PLUGINS: readonly string[] = ["customers", "pipeline", "products", "sales", "inventory"];
