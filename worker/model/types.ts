import type { Choice, FieldOptions, FieldType, Labels } from "../../schemas/types";

export type { Choice, FieldOptions, FieldType, Labels };

/** A field as the registry holds it (a row of sg_fields, decoded). */
export interface FieldMeta {
  id: string;
  tableId: string;
  name: string;
  label: string;
  labels: Labels;
  description: string;
  type: FieldType;
  options: FieldOptions & LinkOptions;
  required: boolean;
  indexed: boolean;
  position: number;
  slot: number;
  deletedAt: string | null;
}

/** Options a link field carries once created (resolved from the input's `table`). */
export interface LinkOptions {
  /** Target table id. */
  table?: string;
  /** The field on the other side of the pair. */
  inverseField?: string;
  /** True on the side that owns the junction table (the side that was created first). */
  owner?: boolean;
}

export interface TableMeta {
  id: string;
  name: string;
  label: string;
  labels: Labels;
  description: string;
  primaryFieldId: string | null;
  /**
   * The user field whose value owns a row (for `own` and `team` grants); null: the field named owner, else created_by.
   */
  ownerFieldId: string | null;
  slots: number;
  plugin: string | null;
  deletedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** Live fields in position order. */
  fields: FieldMeta[];
  /** Soft-deleted fields, restorable until purged. */
  deletedFields: FieldMeta[];
}

/** Looks a live field up by id or API name. */
export function findField(table: TableMeta, ref: string): FieldMeta | undefined {
  return table.fields.find((f) => f.id === ref || f.name === ref);
}
