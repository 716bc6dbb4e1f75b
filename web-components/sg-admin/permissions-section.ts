/**
 * <sg-admin-permissions>: the roles x tables matrix. Each cell summarises one grant; its editor sets
 * read/create/update/delete to none / own / team / all / a rule (built in the filter builder with
 * $user variables and today-relative dates), the access of each field (hidden / read / write), and
 * the table's owner field that `own` and `team` refer to.
 */
import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import type { Filter, GrantInput } from "../../schemas/types";
import { labelOf } from "../i18n/index";
import {
  OPERATIONS,
  type AdminApi,
  type AdminTable,
  type FieldAccess,
  type Grant,
  type Level,
  type Operation,
  type Role,
} from "./admin-api";
import { Problems, banner, fieldError } from "./problems";
import { adminStyles } from "./styles";
import "../sg-filter/filter-builder";
import { emit } from "../events";

type LevelKind = "none" | "own" | "team" | "all" | "rule";
const LEVELS: LevelKind[] = ["none", "own", "team", "all", "rule"];

function opLabel(op: Operation): string {
  switch (op) {
    case "read":
      return msg("Read", { id: "admin.perm.read" });
    case "create":
      return msg("Create", { id: "admin.perm.create" });
    case "update":
      return msg("Update", { id: "admin.perm.update" });
    case "delete":
      return msg("Delete", { id: "admin.perm.delete" });
  }
}

function levelLabel(l: LevelKind): string {
  switch (l) {
    case "none":
      return msg("none", { id: "admin.level.none" });
    case "own":
      return msg("own records", { id: "admin.level.own" });
    case "team":
      return msg("team's records", { id: "admin.level.team" });
    case "all":
      return msg("all records", { id: "admin.level.all" });
    case "rule":
      return msg("by rule…", { id: "admin.level.rule" });
  }
}

function accessLabel(a: FieldAccess): string {
  switch (a) {
    case "hidden":
      return msg("hidden", { id: "admin.access.hidden" });
    case "read":
      return msg("read-only", { id: "admin.access.read" });
    case "write":
      return msg("editable", { id: "admin.access.write" });
  }
}

const kindOf = (l: Level): LevelKind => (typeof l === "object" ? "rule" : l);

interface Draft {
  kinds: Record<Operation, LevelKind>;
  rules: Record<Operation, Filter | null>;
  valid: Record<Operation, boolean>;
  defaultField: FieldAccess;
  fields: Record<string, FieldAccess | "default">;
  owner: string;
}

@localized()
export class SgAdminPermissions extends LitElement {
  static override styles = adminStyles;

  @property({ attribute: false }) admin!: AdminApi;

  @state() private roles: Role[] = [];
  @state() private tables: AdminTable[] = [];
  @state() private grants = new Map<string, Grant>();
  @state() private users: { id: string; name: string }[] = [];
  @state() private cell: { role: string; table: AdminTable; exists: boolean } | null = null;
  @state() private d: Draft | null = null;
  @state() private problems = Problems.none;
  private openSeq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [roles, tables, users] = await Promise.all([this.admin.roles(), this.admin.tables(), this.admin.users()]);
      const lists = await Promise.all(roles.filter((r) => r.name !== "admin").map((r) => this.admin.grants(r.name)));
      const map = new Map<string, Grant>();
      for (const g of lists.flat()) map.set(`${g.role}|${g.table.id}`, g);
      // All at once: a cell opened before its grant arrived would start from "no access" and save that.
      this.grants = map;
      this.roles = roles;
      this.tables = tables;
      this.users = users.map((u) => ({ id: u.id, name: u.name }));
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private summary(g: Grant | undefined) {
    if (!g) return html`<span class="muted">${msg("no access", { id: "admin.perm.noAccess" })}</span>`;
    const ops = OPERATIONS.map((op) => `${opLabel(op).slice(0, 1)}:${levelLabel(kindOf(g[op])).replace("…", "")}`);
    const special = Object.keys(g.fields).length;
    return html`<span>${ops.join(" · ")}</span>${special ? html`<br><span class="muted">${msg(str`${special} field rules`, { id: "admin.perm.fieldRules" })}</span>` : nothing}`;
  }

  private async openCell(role: string, table: AdminTable): Promise<void> {
    // The latest cell chosen wins: an earlier one whose table answers later must not replace it.
    const seq = ++this.openSeq;
    const [full, owner] = await Promise.all([
      this.admin.table(table.id),
      this.admin.ownerField(table.id).catch(() => null),
    ]);
    if (seq !== this.openSeq) return;
    const g = this.grants.get(`${role}|${table.id}`);
    const kinds = {} as Draft["kinds"];
    const rules = {} as Draft["rules"];
    const valid = {} as Draft["valid"];
    for (const op of OPERATIONS) {
      const l: Level = g?.[op] ?? "none";
      kinds[op] = kindOf(l);
      rules[op] = typeof l === "object" ? l.rule : null;
      valid[op] = true;
    }
    const fields: Draft["fields"] = {};
    for (const f of full.fields) fields[f.name] = g?.fields[f.name] ?? "default";
    this.cell = { role, table: full, exists: !!g };
    this.d = {
      kinds,
      rules,
      valid,
      defaultField: g?.defaultField ?? "write",
      fields,
      owner: owner?.explicit ? (owner.field?.name ?? "") : "",
    };
    this.problems = Problems.none;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>("[data-role=grant-editor] select")?.focus();
  }

  private body(): GrantInput | null {
    const d = this.d!;
    const level = (op: Operation): Level =>
      d.kinds[op] === "rule" ? { rule: d.rules[op]! } : (d.kinds[op] as Exclude<LevelKind, "rule">);
    const fields: Record<string, FieldAccess> = {};
    for (const [name, a] of Object.entries(d.fields)) if (a !== "default") fields[name] = a;
    return {
      read: level("read"),
      create: level("create"),
      update: level("update"),
      delete: level("delete"),
      fields,
      defaultField: d.defaultField,
    } as GrantInput;
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.d!;
    const { role, table } = this.cell!;
    const missing = OPERATIONS.filter((op) => d.kinds[op] === "rule" && (!d.rules[op] || !d.valid[op]));
    if (missing.length) {
      this.problems = new Problems(
        missing.map((op) => ({
          field: `${op}/rule`,
          code: "required",
          message: msg("Build the rule: every condition needs a field, an operator and a value.", {
            id: "admin.perm.ruleIncomplete",
          }),
        })),
        msg("Some rules are incomplete", { id: "admin.perm.rulesIncomplete" }),
      );
      return;
    }
    try {
      const ownerBefore = await this.admin.ownerField(table.id).catch(() => null);
      const ownerNow = ownerBefore?.explicit ? (ownerBefore.field?.name ?? "") : "";
      if (ownerNow !== d.owner) await this.admin.setOwnerField(table.id, d.owner || null);
      const g = await this.admin.putGrant(role, table.id, this.body()!);
      this.grants = new Map(this.grants).set(`${role}|${table.id}`, g);
      this.cell = { ...this.cell!, exists: true };
      this.problems = Problems.none;
      emit(this, "sg-notify", { kind: "info", message: msg("Permissions saved", { id: "admin.perm.saved" }) });
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private async removeGrant(): Promise<void> {
    const { role, table } = this.cell!;
    try {
      await this.admin.deleteGrant(role, table.id);
      const next = new Map(this.grants);
      next.delete(`${role}|${table.id}`);
      this.grants = next;
      this.cell = null;
      this.d = null;
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  override render() {
    const roles = this.roles.filter((r) => r.name !== "admin");
    return html`<div class="stack">
      <h2>${msg("Permissions", { id: "admin.perm.title" })}</h2>
      <p class="muted">${msg("Admins may do everything. For other roles, choose a cell to set what the role may do on the table.", { id: "admin.perm.intro" })}</p>
      ${this.cell ? nothing : banner(this.problems)}
      <div style="overflow:auto">
      <table class="grid" data-role="permission-matrix" aria-label=${msg("Roles and tables", { id: "admin.perm.matrix" })}>
        <thead><tr><th scope="col">${msg("Role", { id: "admin.role" })}</th>${this.tables.map((t) => html`<th scope="col">${labelOf(t)}</th>`)}</tr></thead>
        <tbody>${roles.map(
          (r) => html`<tr data-role-row=${r.name}>
          <th scope="row">${labelOf(r)}</th>
          ${this.tables.map(
            (t) => html`<td data-cell=${`${r.name}|${t.name}`}
              aria-current=${this.cell?.role === r.name && this.cell.table.id === t.id ? "true" : "false"}>
            ${this.summary(this.grants.get(`${r.name}|${t.id}`))}<br>
            <button type="button" data-role="edit-grant" aria-label=${msg(str`Edit permissions of ${labelOf(r)} on ${labelOf(t)}`, { id: "admin.perm.editCell" })}
              @click=${() => this.openCell(r.name, t)}>${msg("Edit", { id: "admin.edit" })}</button>
          </td>`,
          )}
        </tr>`,
        )}</tbody>
      </table></div>
      ${this.cell && this.d ? this.renderEditor(this.cell.role, this.cell.table, this.d) : nothing}
    </div>`;
  }

  private renderEditor(role: string, t: AdminTable, d: Draft) {
    const p = this.problems;
    const roleLabel = labelOf(this.roles.find((r) => r.name === role) ?? { name: role });
    const set = (patch: Partial<Draft>) => {
      this.d = { ...d, ...patch };
    };
    return html`<form class="stack panel" data-role="grant-editor" aria-label=${msg(str`${roleLabel} on ${labelOf(t)}`, { id: "admin.perm.editorTitle" })} @submit=${this.save}>
      <h3>${msg(str`${roleLabel} on ${labelOf(t)}`, { id: "admin.perm.editorTitle" })}</h3>
      ${banner(p, ["read", "create", "update", "delete", "fields", "defaultField"])}
      <table class="grid">
        <tbody>${OPERATIONS.map(
          (op) => html`<tr data-op=${op}>
          <th scope="row">${opLabel(op)}</th>
          <td>
            <select name=${`level-${op}`} aria-label=${opLabel(op)}
              @change=${(e: Event) => set({ kinds: { ...d.kinds, [op]: (e.target as HTMLSelectElement).value as LevelKind } })}>
              ${LEVELS.map((l) => html`<option value=${l} ?selected=${d.kinds[op] === l}>${levelLabel(l)}</option>`)}
            </select>
            ${
              d.kinds[op] === "rule"
                ? html`<sg-filter-builder data-role=${`rule-${op}`} variables .fields=${t.fields} .users=${this.users} .value=${d.rules[op]}
                  error-prefix=${`${op}/rule`} .errors=${p.under(`${op}/rule`)} label=${msg(str`Rule for ${opLabel(op)}`, { id: "admin.perm.ruleFor" })}
                  @sg-filter-change=${(e: HTMLElementEventMap["sg-filter-change"]) => {
                    this.d = {
                      ...this.d!,
                      rules: { ...this.d!.rules, [op]: e.detail.value },
                      valid: { ...this.d!.valid, [op]: e.detail.valid },
                    };
                  }}></sg-filter-builder>`
                : nothing
            }
            ${fieldError(p, `${op}/rule`, true)}${fieldError(p, op, true)}
          </td></tr>`,
        )}</tbody>
      </table>
      <label class="field"><span>${msg("Whose records are “own” (owner field)", { id: "admin.perm.owner" })}</span>
        <select name="owner-field" @change=${(e: Event) => set({ owner: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!d.owner}>${msg("default: a user field named owner, else the creator", { id: "admin.perm.ownerDefault" })}</option>
          ${t.fields.filter((f) => f.type === "user").map((f) => html`<option value=${f.name} ?selected=${f.name === d.owner}>${labelOf(f)}</option>`)}
        </select></label>
      <h3>${msg("Field access", { id: "admin.perm.fields" })}</h3>
      <label class="field"><span>${msg("Fields not listed below", { id: "admin.perm.defaultField" })}</span>
        <select name="default-field" @change=${(e: Event) => set({ defaultField: (e.target as HTMLSelectElement).value as FieldAccess })}>
          ${(["hidden", "read", "write"] as const).map((a) => html`<option value=${a} ?selected=${d.defaultField === a}>${accessLabel(a)}</option>`)}
        </select>${fieldError(p, "defaultField")}</label>
      <table class="grid" data-role="field-access">
        <thead><tr><th>${msg("Field", { id: "admin.field" })}</th><th>${msg("Access", { id: "admin.perm.access" })}</th></tr></thead>
        <tbody>${t.fields.map(
          (f) => html`<tr data-field=${f.name}>
          <td>${labelOf(f)} <code class="muted">${f.name}</code></td>
          <td><select name=${`access-${f.name}`} aria-label=${msg(str`Access to ${labelOf(f)}`, { id: "admin.perm.accessTo" })}
              @change=${(e: Event) => set({ fields: { ...d.fields, [f.name]: (e.target as HTMLSelectElement).value as FieldAccess | "default" } })}>
            <option value="default" ?selected=${d.fields[f.name] === "default"}>${msg(str`as above (${accessLabel(d.defaultField)})`, { id: "admin.perm.asDefault" })}</option>
            ${(["hidden", "read", "write"] as const).map((a) => html`<option value=${a} ?selected=${d.fields[f.name] === a}>${accessLabel(a)}</option>`)}
          </select>${fieldError(p, `fields/${f.name}`)}</td></tr>`,
        )}</tbody>
      </table>
      <div class="row">
        <button class="primary" type="submit" data-role="save-grant">${msg("Save permissions", { id: "admin.perm.save" })}</button>
        ${this.cell?.exists ? html`<button type="button" class="danger" data-role="remove-grant" @click=${this.removeGrant}>${msg("Remove all access", { id: "admin.perm.remove" })}</button>` : nothing}
        <button type="button" @click=${() => {
          this.cell = null;
          this.d = null;
        }}>${msg("Close", { id: "admin.close" })}</button>
      </div>
    </form>`;
  }
}

if (!customElements.get("sg-admin-permissions")) customElements.define("sg-admin-permissions", SgAdminPermissions);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-permissions": SgAdminPermissions;
  }
}
