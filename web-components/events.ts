/**
 * Every `sg-*` event the elements dispatch, typed once. `HTMLElementEventMap` is augmented below, so
 * `addEventListener("sg-notify", (e) => e.detail.message)` is checked by the compiler; elements send
 * them with `emit()`. All bubble and are composed (they cross shadow roots up to <sg-app> or the host
 * page) unless noted.
 */
import type { ApiRecord, FieldInfo, ViewInfo } from "./api/client";
import type { Filter } from "../schemas/types";

/**
 * Records written by one element (a form in the drawer, a grid edit or paste, a card moved on a
 * board), with the server's reply. <sg-app> routes it to every other open view (`RecordsView`), so a
 * record saved in one place shows, with its new version, everywhere at once.
 */
export interface RecordsChange {
  /** The table's name. */
  table: string;
  /** The records as the server returned them after the write (current values and versions). */
  records: ApiRecord[];
  /** Ids of records deleted. */
  deleted?: number[];
  /** True when `records` were created (not updated). */
  created?: boolean;
}

/** What each event carries, by name. */
export interface SgEventDetails {
  /** A message for the app's notifications (sg-app shows it; a host page may listen too). */
  "sg-notify": { kind: "info" | "error"; message: string };
  /** Open a record in the app's drawer (double click or Enter on a card or a row). */
  "sg-open-record": { table: string; id: number };
  /** Records were written: see `RecordsChange`. */
  "sg-records-changed": RecordsChange;
  /** <sg-form> saved its record (the drawer then moves to a created record's address). */
  "sg-record-saved": { record: ApiRecord; created: boolean };
  /** <sg-form>'s Cancel. */
  "sg-cancel": undefined;
  /** A filter builder's value changed; `valid` is false while a condition is incomplete. */
  "sg-filter-change": { value: Filter | null; valid: boolean };
  /** The pipeline stage list editor's value (JSON text) changed. */
  "sg-stages-change": { value: string | null; valid: boolean };
  /** An admin changed tables or fields: the app reloads its workspace. */
  "sg-schema-changed": { table: string | null };
  /** The admin area moved to another section (the app keeps it in the URL). */
  "sg-admin-section": { section: string };
  /** The field editor saved a field. */
  "sg-admin-saved": { field: FieldInfo };
  /** The field editor was cancelled. */
  "sg-admin-cancel": undefined;
  /** The grid saved column widths, order or frozen columns to its view. */
  "sg-layout-saved": { view: ViewInfo };
  /** The grid's Handsontable is ready with its first page. */
  "sg-grid-ready": { total: number | null };
  /** <sg-notification-list> marked notifications read: the unread count after, for the bell. */
  "sg-notifications-read": { unread: number; more: boolean };
  /** <sg-notification-list> is opening a notification's record (the bell closes its list). */
  "sg-notification-open": { id: number };
  /** Sent TO a board (not bubbling): reload its cards and totals. */
  "sg-refresh": undefined;
}

export type SgEventName = keyof SgEventDetails;
type SgEventMap = { [K in SgEventName]: CustomEvent<SgEventDetails[K]> };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends SgEventMap {}
}

/** Dispatches a typed sg-* event from `target` (bubbling and composed unless told otherwise). */
export function emit<K extends SgEventName>(
  target: EventTarget,
  type: K,
  detail: SgEventDetails[K],
  init: { bubbles?: boolean; composed?: boolean } = {},
): boolean {
  return target.dispatchEvent(
    new CustomEvent(type, { detail, bubbles: init.bubbles ?? true, composed: init.composed ?? true }),
  );
}

/** A view the app keeps current: it takes records written elsewhere (in place, or drops them when they left it). */
export interface RecordsView extends HTMLElement {
  recordsChanged(change: RecordsChange): void;
}
