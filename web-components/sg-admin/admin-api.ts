/**
 * The admin routes the console uses, typed, over ApiClient.request. One place knows the paths:
 * meta (tables, fields, views) and /api/admin (roles, grants, users, teams, embed tokens).
 */
import type { ApiClient, FieldInfo, TableInfo, ViewInfo } from "../api/client";
import type { FieldInput, Filter, GrantInput, TableInput, ViewInput } from "../../schemas/types";

const enc = encodeURIComponent;

export type Level = "none" | "own" | "team" | "all" | { rule: Filter };
export type FieldAccess = "hidden" | "read" | "write";
export const OPERATIONS = ["read", "create", "update", "delete"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface AdminTable extends TableInfo {
  deletedAt?: string;
  deletedFields?: FieldInfo[];
}

export interface Role {
  name: string;
  label: string;
  labels: Record<string, string>;
  description: string;
  builtin: boolean;
  users: number;
}

export interface Grant {
  role: string;
  table: { id: string; name: string | null };
  read: Level;
  create: Level;
  update: Level;
  delete: Level;
  fields: Record<string, FieldAccess>;
  defaultField: FieldAccess;
}

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  roles: string[];
  locale: string;
  timeZone: string;
  disabled: boolean;
  teams: { team: string; name: string; lead: boolean }[];
}

export interface Team {
  id: string;
  name: string;
  label: string;
  members: { user: string; name: string; email: string; lead: boolean }[];
}

export interface Embed {
  id: string;
  view: string;
  mode: "read" | "edit";
  filter: Filter | null;
  label: string;
  expiresAt: string;
  revokedAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface MintInput {
  view: string;
  mode: "read" | "edit";
  filter?: Filter;
  expiresAt?: string;
  expiresInDays?: number;
  label?: string;
}

export class AdminApi {
  constructor(readonly api: ApiClient) {}

  private r<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.api.request<T>(method, path, body);
  }

  // Tables and fields
  tables = (deleted = false) =>
    this.r<{ tables: AdminTable[] }>("GET", `/api/meta/tables${deleted ? "?deleted=true" : ""}`).then((x) => x.tables);
  table = (ref: string) => this.r<{ table: AdminTable }>("GET", `/api/meta/tables/${enc(ref)}`).then((x) => x.table);
  createTable = (body: TableInput) =>
    this.r<{ table: AdminTable }>("POST", "/api/meta/tables", body).then((x) => x.table);
  updateTable = (ref: string, body: Partial<TableInput> & { version?: number }) =>
    this.r<{ table: AdminTable }>("PATCH", `/api/meta/tables/${enc(ref)}`, body).then((x) => x.table);
  deleteTable = (ref: string) => this.r<{ purged: boolean }>("DELETE", `/api/meta/tables/${enc(ref)}`);
  restoreTable = (ref: string) =>
    this.r<{ table: AdminTable }>("POST", `/api/meta/tables/${enc(ref)}/restore`).then((x) => x.table);
  addField = (table: string, body: FieldInput) =>
    this.r<{ field: FieldInfo }>("POST", `/api/meta/tables/${enc(table)}/fields`, body).then((x) => x.field);
  updateField = (table: string, field: string, body: Partial<FieldInput>) =>
    this.r<{ field: FieldInfo; conversion?: { converted: number; unconvertedCount: number } }>(
      "PATCH",
      `/api/meta/tables/${enc(table)}/fields/${enc(field)}`,
      body,
    );
  deleteField = (table: string, field: string) =>
    this.r<{ purged: boolean }>("DELETE", `/api/meta/tables/${enc(table)}/fields/${enc(field)}`);
  restoreField = (table: string, field: string) =>
    this.r<{ field: FieldInfo }>("POST", `/api/meta/tables/${enc(table)}/fields/${enc(field)}/restore`).then(
      (x) => x.field,
    );

  // Views
  views = (table?: string) =>
    this.r<{ views: ViewInfo[] }>("GET", `/api/meta/views${table ? `?table=${enc(table)}` : ""}`).then((x) => x.views);
  createView = (body: ViewInput) => this.r<{ view: ViewInfo }>("POST", "/api/meta/views", body).then((x) => x.view);
  /** A PATCH names the version it read; null removes an optional key. */
  updateView = (id: string, body: Record<string, unknown> & { version: number }) =>
    this.r<{ view: ViewInfo }>("PATCH", `/api/meta/views/${enc(id)}`, body).then((x) => x.view);
  deleteView = (id: string, version: number) =>
    this.r<{ deleted: true }>("DELETE", `/api/meta/views/${enc(id)}?version=${version}`);

  // Roles and grants
  roles = () => this.r<{ roles: Role[] }>("GET", "/api/admin/roles").then((x) => x.roles);
  createRole = (body: { name: string; label?: string; description?: string }) =>
    this.r<{ role: Role }>("POST", "/api/admin/roles", body).then((x) => x.role);
  updateRole = (name: string, body: { name?: string; label?: string; description?: string }) =>
    this.r<{ role: Role }>("PATCH", `/api/admin/roles/${enc(name)}`, body).then((x) => x.role);
  deleteRole = (name: string) => this.r<{ deleted: string }>("DELETE", `/api/admin/roles/${enc(name)}`);
  grants = (role: string) =>
    this.r<{ grants: Grant[] }>("GET", `/api/admin/roles/${enc(role)}/grants`).then((x) => x.grants);
  putGrant = (role: string, table: string, body: GrantInput) =>
    this.r<{ grant: Grant }>("PUT", `/api/admin/roles/${enc(role)}/grants/${enc(table)}`, body).then((x) => x.grant);
  deleteGrant = (role: string, table: string) =>
    this.r<unknown>("DELETE", `/api/admin/roles/${enc(role)}/grants/${enc(table)}`);
  ownerField = (table: string) =>
    this.r<{ ownerField: { field: { id: string; name: string } | null; explicit: boolean } }>(
      "GET",
      `/api/admin/tables/${enc(table)}/owner-field`,
    ).then((x) => x.ownerField);
  setOwnerField = (table: string, field: string | null) =>
    this.r<unknown>("PUT", `/api/admin/tables/${enc(table)}/owner-field`, { field });

  // Users and teams
  users = () => this.r<{ users: AdminUser[] }>("GET", "/api/admin/users?limit=1000").then((x) => x.users);
  createUser = (body: {
    email: string;
    name: string;
    password?: string;
    roles?: string[];
    teams?: { team: string; lead?: boolean }[];
    locale?: string;
    timeZone?: string;
  }) => this.r<{ user: AdminUser; password?: string }>("POST", "/api/admin/users", body);
  updateUser = (id: string, body: Record<string, unknown>) =>
    this.r<{ user: AdminUser }>("PATCH", `/api/admin/users/${enc(id)}`, body).then((x) => x.user);
  setPassword = (id: string, password: string) =>
    this.r<unknown>("POST", `/api/admin/users/${enc(id)}/password`, { password });
  teams = () => this.r<{ teams: Team[] }>("GET", "/api/admin/teams").then((x) => x.teams);
  createTeam = (body: { name: string; label?: string; members?: { user: string; lead?: boolean }[] }) =>
    this.r<{ team: Team }>("POST", "/api/admin/teams", body).then((x) => x.team);
  updateTeam = (ref: string, body: { name?: string; label?: string }) =>
    this.r<{ team: Team }>("PATCH", `/api/admin/teams/${enc(ref)}`, body).then((x) => x.team);
  deleteTeam = (ref: string) => this.r<unknown>("DELETE", `/api/admin/teams/${enc(ref)}`);
  setMembers = (ref: string, members: { user: string; lead?: boolean }[]) =>
    this.r<{ team: Team }>("PUT", `/api/admin/teams/${enc(ref)}/members`, members).then((x) => x.team);

  // Embed tokens
  embeds = (view?: string) =>
    this.r<{ embeds: Embed[] }>("GET", `/api/admin/embed-tokens${view ? `?view=${enc(view)}` : ""}`).then(
      (x) => x.embeds,
    );
  mintEmbed = (body: MintInput) => this.r<{ token: string; embed: Embed }>("POST", "/api/admin/embed-tokens", body);
  revokeEmbed = (id: string) =>
    this.r<{ embed: Embed }>("DELETE", `/api/admin/embed-tokens/${enc(id)}`).then((x) => x.embed);
}
