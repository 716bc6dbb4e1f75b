/**
 * The demo workspace: the plugins it installs (from plugins/), and the tables it would make by hand,
 * as an admin would send them to POST /api/meta/tables, created after the plugins (links point at
 * tables that exist); none since tasks became a plugin. Labels carry zh-CN and en; the module names
 * follow the scope document (客户管理, 销售跟踪, 任务和日程管理).
 */
import type { TableInput } from "../../schemas/types";

/** Created after the plugins, in this order (none: every demo table now comes from a plugin). */
export const DEMO_TABLES: readonly TableInput[] = [];

/**
 * Plugins the demo workspace installs, in dependency order: customers, contacts, addresses, activities, deals,
 * pipelines, stage history; the product catalog and price lists (seeded from catalog.ts); quotes, orders and
 * payments (sample documents from scripts/demo-sales.mjs); warehouses and stock (scripts/demo-inventory.mjs); tasks
 * and appointments, some recurring (the tasks plugin; sample tasks from scripts/seed-demo-data.mjs).
 */
export const DEMO_PLUGINS: readonly string[] = ["customers", "pipeline", "products", "sales", "inventory", "tasks"];
