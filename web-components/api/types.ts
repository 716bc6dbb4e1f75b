/**
 * The shapes the API answers with, as the elements use them (the field shape is generated from
 * schemas/, the rest follows the Worker's replies). Re-exported by client.ts.
 */
import type { FieldInfo } from "../../schemas/types";

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
  /** The values the message names (limit, expected, format): see i18n/field-errors.ts. */
  params?: Record<string, string | number>;
}

/** An RFC 9457 problem as the Worker sends it. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[];
  /** On a 409 for one record: the record as it is now. */
  current?: ApiRecord;
  /** On a 409 for several records: the current ones by request index. */
  conflicts?: { index: number; current: ApiRecord }[];
  [key: string]: unknown;
}

/**
 * A field as the API answers it (definition, id, label, the caller's access), generated from
 * schemas/field-info.schema.json like the server's types: the one field shape of every element.
 */
export type { FieldInfo };

export type Access = NonNullable<FieldInfo["access"]>;

export interface TableOps {
  read: boolean;
  create: boolean;
  update: boolean;
  delete: boolean;
}

export interface TableInfo {
  id: string;
  name: string;
  label: string;
  labels?: Record<string, string>;
  description?: string | null;
  primaryFieldId: string | null;
  fields: FieldInfo[];
  access?: TableOps;
  version?: number;
  [key: string]: unknown;
}

export interface ViewInfo {
  id: string;
  name: string;
  label: string;
  labels?: Record<string, string>;
  table: string;
  tableId: string;
  type: string;
  fields?: string[];
  sort?: { field: string; direction: "asc" | "desc" }[];
  filter?: unknown;
  groupBy?: string;
  layout?: Record<string, unknown>;
  roles?: string[];
  version?: number;
  [key: string]: unknown;
}

export interface ApiRecord {
  id: number;
  version: number;
  createdAt?: string;
  createdBy?: string | null;
  updatedAt?: string;
  updatedBy?: string | null;
  fields: Record<string, unknown>;
}

export interface ListOptions {
  /** A filter tree (sent as JSON) or its JSON text. */
  filter?: unknown;
  /** `-amount,name` or ["-amount", "name"]. */
  sort?: string | string[];
  limit?: number;
  cursor?: string | null;
  /** Rows to skip (random access into a large list; the server caps it). */
  offset?: number;
  fields?: string | string[];
  q?: string;
  count?: boolean;
  expand?: string | string[];
}

export interface ListReply {
  records: ApiRecord[];
  nextCursor: string | null;
  total?: number;
}

export interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  locale?: string | null;
  timeZone?: string | null;
  [key: string]: unknown;
}

export interface HistoryEntry {
  id: number;
  at: string;
  action: string;
  user: { id: string; name: string | null } | null;
  /** A value before and after, or for a link changed from its other side the ids it gained and lost. */
  changes: Record<string, { before: unknown; after: unknown } | { added: number[]; removed: number[] }>;
}

export interface EmbedViewReply {
  view: ViewInfo;
  table: TableInfo;
  mode: "read" | "edit";
}

/** A colleague from the user directory (`email` and `active` only where the server sends them). */
export interface DirectoryUser {
  id: string;
  name: string;
  email?: string;
  active?: boolean;
}

/** A notification in the signed-in user's list (GET /api/notifications). */
export interface AppNotification {
  id: number;
  plugin: string;
  kind: string;
  /** Per UI language ("en", "zh-CN"); null when withheld. */
  title: Record<string, string> | null;
  body: Record<string, string> | null;
  /** The record it is about (table id, record id), when the reader may read it now. */
  record: { table: string; id: number } | null;
  /** About a record the reader may no longer read: title, body and record are left out. */
  withheld: boolean;
  createdAt: string;
  readAt: string | null;
}

/** The unread count for the bell: counted up to 1000, `more` beyond. */
export interface UnreadCount {
  unread: number;
  more: boolean;
}

export interface PublicConfig {
  handsontableLicenseKey: string;
  locales: string[];
  [key: string]: unknown;
}
