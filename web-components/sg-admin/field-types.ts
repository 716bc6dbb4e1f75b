/** The field types an admin can choose, and their names in the UI's language. */
import { msg } from "@lit/localize";

export const FIELD_TYPES = [
  "text",
  "long_text",
  "number",
  "currency",
  "percent",
  "date",
  "datetime",
  "checkbox",
  "single_select",
  "multi_select",
  "email",
  "phone",
  "url",
  "rating",
  "user",
  "link",
  "autonumber",
  "decimal",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export function typeLabel(t: string): string {
  switch (t) {
    case "text":
      return msg("Text", { id: "admin.type.text" });
    case "long_text":
      return msg("Long text", { id: "admin.type.long_text" });
    case "number":
      return msg("Number", { id: "admin.type.number" });
    case "currency":
      return msg("Currency", { id: "admin.type.currency" });
    case "percent":
      return msg("Percent", { id: "admin.type.percent" });
    case "date":
      return msg("Date", { id: "admin.type.date" });
    case "datetime":
      return msg("Date and time", { id: "admin.type.datetime" });
    case "checkbox":
      return msg("Checkbox", { id: "admin.type.checkbox" });
    case "single_select":
      return msg("Single select", { id: "admin.type.single_select" });
    case "multi_select":
      return msg("Multiple select", { id: "admin.type.multi_select" });
    case "email":
      return msg("Email", { id: "admin.type.email" });
    case "phone":
      return msg("Phone", { id: "admin.type.phone" });
    case "url":
      return msg("URL", { id: "admin.type.url" });
    case "rating":
      return msg("Rating", { id: "admin.type.rating" });
    case "user":
      return msg("User", { id: "admin.type.user" });
    case "link":
      return msg("Link to another table", { id: "admin.type.link" });
    case "autonumber":
      return msg("Autonumber", { id: "admin.type.autonumber" });
    case "decimal":
      return msg("Exact decimal", { id: "admin.type.decimal" });
    default:
      return t;
  }
}
