/**
 * What the board calls things: a column's or swimlane's key by its choice label in the UI's language
 * or its user's name, a card's title, and a card field's value as people read it: a link by its
 * target's primary field (looked up when a write's reply holds bare ids), "(no access)" for a target
 * the viewer may not read, never an id.
 */
import type { ApiRecord } from "../api/client";
import type { UserNamesController } from "../controllers/user-names";
import { labelOf, msg } from "../i18n/index";
import { formatValue, type CellNames, type GridField } from "../sg-grid/values";
import type { BoardConfig } from "./board-config";
import type { BoardField, Key } from "./board-model";

export class BoardLabels {
  constructor(
    private readonly config: () => BoardConfig,
    private readonly people: UserNamesController,
    /** Names of linked records (sg-grid/names.ts). */
    private readonly names: CellNames,
  ) {}

  keyLabel(field: BoardField, key: Key): string {
    if (key === null) return msg("No value", { id: "kanban.noValue" });
    if (field.type === "user") return this.people.name(key);
    const c = field.options.choices?.find((x) => x.name === key);
    return c ? labelOf(c) : key;
  }

  column(key: Key): string {
    const group = this.config().group;
    return group ? this.keyLabel(group, key) : "";
  }

  lane(key: Key): string {
    const lane = this.config().lane;
    return lane ? this.keyLabel(lane, key) : "";
  }

  title(rec: ApiRecord): string {
    const primary = this.config().primary;
    const v = primary ? rec.fields[primary.name] : undefined;
    return v === null || v === undefined || v === "" ? `#${rec.id}` : this.value(primary!, v);
  }

  value(f: BoardField, v: unknown): string {
    if (f.type === "user" && typeof v === "string") return this.people.name(v);
    if (f.type === "single_select" && typeof v === "string") return this.keyLabel(f, v);
    return formatValue(f as GridField, v, this.people.me?.timeZone ?? null, this.names);
  }
}
