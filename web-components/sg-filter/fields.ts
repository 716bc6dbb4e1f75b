/** The shape of a field the filter builder and the admin console work with (GET /api/meta/tables). */
export { labelOf } from "../i18n/index";
import type { FieldInfo } from "../../schemas/types";

export type { Choice } from "../../schemas/types";

/** The part of a field (FieldInfo, generated from schemas/) the filter builder needs. */
export type MetaField = Pick<FieldInfo, "name" | "type"> &
  Partial<Pick<FieldInfo, "id" | "label" | "labels" | "options" | "required" | "indexed" | "position">>;
