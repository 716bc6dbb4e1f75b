/** The shape of a field the filter builder and the admin console work with (GET /api/meta/tables). */
export { labelOf } from "../i18n/index";

export interface Choice {
  id?: string;
  name: string;
  color?: string;
  labels?: Record<string, string>;
}

export interface MetaField {
  id?: string;
  name: string;
  label?: string;
  labels?: Record<string, string>;
  type: string;
  options?: {
    choices?: Choice[];
    currency?: string;
    table?: string;
    multiple?: boolean;
    precision?: number;
    [k: string]: unknown;
  };
  required?: boolean;
  indexed?: boolean;
  position?: number;
}
