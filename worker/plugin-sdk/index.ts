/**
 * The plugin SDK: everything a plugin may import from the Worker (test/worker/import-boundaries.test.ts
 * fails on any other import of worker/ from plugins/). plugins/README.md documents it, with the
 * customers plugin as the worked example. What it hands out works on tables and fields by the keys
 * the plugin's manifest gave them, so an admin renaming a table or field never breaks plugin code.
 *
 * Kept deliberately small: add to it when a plugin needs something, with a line in the README; never
 * let a plugin reach past it.
 */

// Manifest, server and hook types.
export type { PluginManifest } from "../../schemas/types";
export type {
  ActionContext,
  ActionDef,
  AfterWriteContext,
  BeforeWriteContext,
  BeforeWriteResult,
  BoundTable,
  BundledPlugin,
  CalendarOccurrence,
  CalendarRecord,
  CalendarSeries,
  CalendarSource,
  HookProblem,
  HookRecord,
  JobContext,
  JobDef,
  OnceJobDef,
  OnceJobItem,
  RecurringJobDef,
  PluginServer,
  Runtime,
  TableHooks,
  TimeRange,
  Values,
} from "../plugins/types";
export type { FieldMeta, TableMeta } from "../model/types";
export type { FilterNode } from "../query/filter";
export type { Op } from "../model/field-types";
/** One statement of a write's batch (SQL with bound parameters), as effects return them. */
export type { Stmt } from "../query/write";

// Effects: reads by field key, and statements added to the write's batch (version-guarded, audited).
export {
  addChoicesEffect,
  and,
  cond,
  findByIds,
  findRows,
  insertEffect,
  or,
  runEffects,
  updateEffect,
  type FoundRow,
} from "../plugins/effects";
// Several reads (rows by id or filter, the plugin's settings) in one round trip.
export { findMany, type Read } from "./reads";
export {
  addEffect,
  auditEffect,
  deleteEffect,
  encodeFields,
  guardRowsEffect,
  moveLinksEffect,
  updateFieldsEffect,
} from "./effects";

// Users' profile time zones by id (a task's occurrences in its assignee's zone).
export { userTimeZones } from "./users";

// A ledger's sums per group in one statement (inventory/verify).
export { sumRows } from "./sums";

// Notifications in the app: in the batch (gone with a refused write) or on their own (from a job).
export { notify, notifyEffect, type LocalText, type NotificationInput } from "../notifications/send";
// A notification the plugin sent to the caller (a reminder snoozed or dismissed): read it, mark it read.
export { markReadEffect, ownNotification, type OwnNotification } from "../notifications/own";

// One-off jobs (a `once: true` entry in `jobs`), scheduled or cancelled in the batch.
export { cancelJobEffect, scheduleJobEffect, type ScheduleInput } from "../jobs/schedule";

// Access checks and the caller's own pipelines (what the caller may see and do, as through the API).
export {
  accessTo,
  permittedRecords,
  permittedIds,
  readRecord,
  listRecordsAs,
  createRecordsAs,
  updateRecordsEffect,
  type ApiRecord,
  type TableAccess,
  type ListOptions,
} from "./records";
export { requireAdmin, requireOperation } from "../access";

// Errors: AppError with a stable code (the code decides the HTTP status), and its constructors.
export { AppError, badRequest, forbidden, invalid, notFound, type ErrorCode, type FieldError } from "../errors";

// Exact arithmetic on integer minor units and decimal quantities, and calendar dates.
export {
  addMoney,
  multiplyMoney,
  includedTax,
  divRoundHalfUp,
  parseDecimal,
  decimalToString,
  minorDigits,
  DEFAULT_CURRENCY,
  type Decimal,
  type Money,
} from "../model/money";
// Decimal field values ("1.250", exact strings): add, compare, and read into units of a scale.
export { addDecimals, compareDecimals, toUnits as decimalToUnits, unitsToString } from "../model/decimal";
export { shiftDate, shiftMonths, parseDate, parseDatetime } from "../model/dates";
export { relativeDate } from "../access/policy";

// Random ids from the one alphabet (for ids a plugin keeps inside its own JSON); record ids and
// autonumbers are reserved by insertEffect, never made by plugin code.
export { newId, randomId } from "../db/ids";

// JSON Schema validation of plugin-owned JSON (a pipeline's stage list), problems per path.
export { validate } from "../model/validate";
