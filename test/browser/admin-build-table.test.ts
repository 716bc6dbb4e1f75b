/**
 * An admin builds a new table entirely in the browser: the table, fields of several types, a grid
 * view with a filter and a sort and a kanban view, both granted to reps, and the reps' permissions
 * with a hidden field and a row rule built in the rule editor. Checked through the API as the rep.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, launchBrowser, screenshot } from "./harness";
import { addField, openAdmin, openTable, section, uniq } from "./admin-helpers";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("an admin can build a new table with fields, views and role grants entirely in the browser", async () => {
  const base = inject("baseUrl");
  const adminApi = await apiAs("admin", base);
  const customers = (await adminApi.table("customers")).table;
  const name = uniq("projects");
  const { page, close } = await openAdmin(browser, base);
  try {
    // Table
    const form = page.locator("sg-admin-tables [data-role=new-table]");
    await form.locator("input[name=label]").fill("Projects");
    await form.locator("input[name=label-zh]").fill("项目");
    await form.locator("input[name=name]").fill(name);
    await form.locator("[data-role=create-table]").click();
    await openTable(page, name);

    // Fields
    await addField(page, { label: "Title", name: "title", type: "text", required: true });
    await addField(page, {
      label: "Stage",
      name: "stage",
      type: "single_select",
      choices: [
        { name: "open", color: "#12b886" },
        { name: "done", color: "#868e96" },
      ],
    });
    await addField(page, { label: "Budget", name: "budget", type: "currency", currency: "USD" });
    await addField(page, { label: "Owner", name: "owner", type: "user" });
    await addField(page, {
      label: "Customer",
      name: "customer",
      type: "link",
      linkTable: customers.id,
      multiple: false,
    });
    const settings = page.locator("sg-admin-tables [data-role=table-settings]");
    await settings.locator("select[name=primary-field]").selectOption("title");
    await settings.locator("[data-role=save-table]").click();
    // Reorder from the keyboard: budget moves above stage.
    await page.locator('sg-admin-tables [data-field-item="budget"] .handle').press("Alt+ArrowUp");
    await expect
      .poll(async () => (await adminApi.table(name)).table.fields.map((f) => f.name), { timeout: 15_000 })
      .toEqual(["title", "budget", "stage", "owner", "customer"]);

    // Views
    await section(page, "views");
    await page.locator("sg-admin-views select[data-role=view-table]").selectOption(name);
    await page.locator("sg-admin-views [data-role=new-view]").click();
    let editor = page.locator("sg-admin-views [data-role=view-editor]");
    await editor.locator("input[name=label]").fill("Open projects");
    await editor.locator("input[name=name]").fill("open_projects");
    const filter = editor.locator("sg-filter-builder");
    await filter.locator("[data-role=add-condition]").click();
    const cond = filter.locator("[data-role=condition]").first();
    await cond.locator("select[data-role=field]").selectOption("stage");
    await cond.locator("select[data-role=op]").selectOption("eq");
    await cond.locator("select[data-role=value]").selectOption("open");
    await editor.locator("[data-role=add-sort]").click();
    await editor.locator('[data-role=view-fields] [data-visible-field="customer"] input[type=checkbox]').click();
    await editor.locator('[data-role=view-fields] [data-hidden-field="customer"]').waitFor();
    await editor.locator('[data-role=view-roles] input[value="sales_rep"]').check();
    await editor.locator("[data-role=save-view]").click();
    await page.locator('sg-admin-views tr[data-view="open_projects"]').waitFor();

    await page.locator("sg-admin-views [data-role=new-view]").click();
    editor = page.locator("sg-admin-views [data-role=view-editor]");
    await editor.locator("input[name=label]").fill("Board");
    await editor.locator("input[name=name]").fill("board");
    await editor.locator("select[name=type]").selectOption("kanban");
    await editor.locator("select[name=group-by]").selectOption("stage");
    await editor.locator('[data-role=view-roles] input[value="sales_rep"]').check();
    await editor.locator("[data-role=save-view]").click();
    await page.locator('sg-admin-views tr[data-view="board"]').waitFor();

    // Permissions: reps read everything, create their own, update by a rule (owner is me), no budget.
    await section(page, "permissions");
    await page.locator(`sg-admin-permissions td[data-cell="sales_rep|${name}"] [data-role=edit-grant]`).click();
    const grant = page.locator("sg-admin-permissions [data-role=grant-editor]");
    await grant.locator("select[name=level-read]").selectOption("all");
    await grant.locator("select[name=level-create]").selectOption("own");
    await grant.locator("select[name=level-update]").selectOption("rule");
    const rule = grant.locator("sg-filter-builder[data-role=rule-update]");
    await rule.locator("[data-role=add-condition]").click();
    const ruleCond = rule.locator("[data-role=condition]").first();
    await ruleCond.locator("select[data-role=field]").selectOption("owner");
    await ruleCond.locator("select[data-role=op]").selectOption("eq");
    await ruleCond.locator("select[data-role=source]").selectOption("$user.id");
    await grant.locator("select[name=access-budget]").selectOption("hidden");
    await grant.locator("[data-role=save-grant]").click();
    await expect
      .poll(
        async () =>
          (
            await adminApi.request<{ grants: { table: { name: string } }[] }>(
              "GET",
              "/api/admin/roles/sales_rep/grants",
            )
          ).grants.some((g) => g.table.name === name),
        { timeout: 15_000 },
      )
      .toBe(true);
    await screenshot(page, "admin-build-table");
  } finally {
    await close();
  }

  // What the admin built, as stored.
  const { table } = await adminApi.table(name);
  expect(table.labels?.["zh-CN"]).toBe("项目");
  expect(table.primaryFieldId).toBe(table.fields.find((f) => f.name === "title")!.id);
  const by = Object.fromEntries(table.fields.map((f) => [f.name, f]));
  expect(by.title!.required).toBe(true);
  expect(by.budget!.options.currency).toBe("USD");
  expect((by.stage!.options.choices as { name: string; color: string }[]).map((c) => [c.name, c.color])).toEqual([
    ["open", "#12b886"],
    ["done", "#868e96"],
  ]);
  expect(by.customer!.options).toMatchObject({ table: customers.id, multiple: false });
  const views = (await adminApi.views(name)).views;
  const grid = views.find((v) => v.name === "open_projects")!;
  expect(grid).toMatchObject({
    type: "grid",
    filter: { and: [{ field: "stage", op: "eq", value: "open" }] },
    sort: [{ field: "title", direction: "asc" }],
    roles: ["sales_rep"],
  });
  expect(grid.fields).toEqual(["title", "budget", "stage", "owner"]);
  expect(views.find((v) => v.name === "board")).toMatchObject({
    type: "kanban",
    groupBy: "stage",
    roles: ["sales_rep"],
  });
  const stored = (
    await adminApi.request<{ grant: Record<string, unknown> }>("GET", `/api/admin/roles/sales_rep/grants/${name}`)
  ).grant;
  expect(stored).toMatchObject({
    read: "all",
    create: "own",
    delete: "none",
    update: { rule: { and: [{ field: "owner", op: "eq", value: "$user.id" }] } },
    fields: { budget: "hidden" },
  });

  // And as the rep meets it: the table without the budget, both views, a record of their own to edit.
  const rep = await apiAs("rep", base);
  const repTable = (await rep.table(name)).table;
  expect(repTable.fields.map((f) => f.name)).toEqual(["title", "stage", "owner", "customer"]);
  expect((await rep.views(name)).views.map((v) => v.name).sort()).toEqual(["board", "open_projects"]);
  const me = (await rep.me()).user;
  const created = (await rep.createRecord(name, { title: "Rollout", stage: "open", owner: me.id })).record;
  const updated = (await rep.updateRecord(name, created.id, created.version, { stage: "done" })).record;
  expect(updated.fields.stage).toBe("done");
  expect(updated.fields).not.toHaveProperty("budget");
});
