/**
 * What a plugin's server.ts exports (hooks, actions, jobs) and what the platform hands its code.
 * Plugin code sees tables and fields by the keys its manifest gave them, never by their current
 * names, so an admin renaming a field does not break a hook.
 */
import type { PluginManifest } from "../../schemas/types";
import type { Principal } from "../auth/principal";
import type { AppError, FieldError } from "../errors";
import type { Registry } from "../model/registry";
import type { FieldMeta, TableMeta } from "../model/types";
import type { Stmt } from "../query/write";
import type { FilterNode } from "../query/filter";

export type Values = Record<string, unknown>;

/** A table bound to the keys of the plugin that created it. */
export interface BoundTable {
  key: string;
  meta: TableMeta;
  /** The live field created for `key`; throws when an admin deleted it. */
  field(key: string): FieldMeta;
  /** The live field for `key`, or null when it was deleted. */
  maybeField(key: string): FieldMeta | null;
  /** Keys of the plugin's live fields on this table. */
  keys(): string[];
}

export interface Runtime {
  plugin: string;
  db: D1Database;
  reg: Registry;
  principal: Principal;
  requestId: string | null;
  /** The time of this write or action (ISO 8601 UTC), shared by every row it writes. */
  at: string;
  /** A table by key ("deals") or by `plugin/key` of another installed plugin; throws if absent or disabled. */
  table(ref: string): BoundTable;
  maybeTable(ref: string): BoundTable | null;
  settings(): Promise<Values>;
}

export interface HookRecord {
  id: number;
  /** Index of the record in the request (for error paths). */
  index: number;
  /** Stored values by field key before the write; null on create. */
  before: Values | null;
  /** Values after the write: `before` with the written values on top. */
  after: Values;
  /** Whether the request (or an earlier hook) writes this field. */
  written(key: string): boolean;
  /** Writes a derived value along with the record. */
  set(key: string, value: unknown): void;
}

export interface HookProblem {
  record: HookRecord;
  /** Field key the problem is about. */
  field: string;
  code: string;
  message: string;
  /** 409 instead of 422 (e.g. a likely duplicate), with extra members for the reply. */
  conflict?: Record<string, unknown>;
}

export interface BeforeWriteContext extends Runtime {
  op: "create" | "update" | "delete";
  /** The table being written. */
  target: BoundTable;
  records: HookRecord[];
  /** Options the caller passed through a plugin action (e.g. allowDuplicate); {} through the records API. */
  options: Values;
}

export interface BeforeWriteResult {
  /** Problems refuse the whole write (422 naming each field, or 409 when one is a conflict). */
  problems?: HookProblem[];
  /** Side effects: they run in the same D1 batch as the write, after its own statements. */
  statements?: Stmt[];
  /**
   * When the batch fails on a decimal field's `min` CHECK that these statements can trip (another
   * request took the stock first): the problem to answer with instead of a plain 409, or null.
   */
  onCheck?: (message: string) => Promise<AppError | null>;
}

export interface AfterWriteContext extends Runtime {
  op: "create" | "update" | "delete";
  target: BoundTable;
  records: { id: number; before: Values | null; after: Values }[];
}

export interface TableHooks {
  beforeWrite?(ctx: BeforeWriteContext): Promise<BeforeWriteResult | void> | BeforeWriteResult | void;
  /** After the batch committed: notifications, webhooks. A failure here is logged, never undoes the write. */
  afterWrite?(ctx: AfterWriteContext): Promise<void> | void;
}

export interface ActionContext extends Runtime {
  input: Values;
}

export interface ActionDef {
  /** JSON Schema of the request body (checked before `run`). */
  input: object;
  run(ctx: ActionContext): Promise<unknown>;
}

/** A recurring job: runs when `everyMinutes` have passed since its last run. */
export interface RecurringJobDef {
  /** Runs when at least this many minutes passed since its last run (the cron trigger fires every minute). */
  everyMinutes: number;
  once?: undefined;
  run(ctx: Runtime): Promise<Record<string, unknown>>;
}

/** What a one-off job's handler gets: the runtime (as the system) and what scheduleJobEffect stored. */
export interface JobContext extends Runtime {
  /** The JSON object passed to scheduleJobEffect. */
  payload: Values;
  /** The job's key (the one given to scheduleJobEffect, or the one made for it). */
  key: string;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** The time it was scheduled for (ISO 8601 UTC); it runs at the first tick at or after it. */
  dueAt: string;
}

/**
 * A one-off job: runs once per scheduleJobEffect, at the first cron tick at or after its time.
 * A run that throws is retried with backoff (1, 2, 4, ... minutes, at most an hour apart) until
 * `maxAttempts` (5 by default) runs failed; then it stays failed, its last error shown to admins.
 * A retried run may repeat what the failed one did before it threw: make it idempotent (a
 * notification's dedupeKey, version-guarded updates).
 */
export interface OnceJobDef {
  once: true;
  maxAttempts?: number;
  run(ctx: JobContext): Promise<Record<string, unknown> | void>;
  /**
   * Optional: runs many due jobs of this kind together (a tick's due reminders read and delivered in
   * a few statements instead of a few each). Answers per job, in order, its result or the Error that
   * fails this attempt (retried like a throwing `run`); throwing fails the attempt of every job given.
   */
  runMany?(ctx: Runtime, jobs: OnceJobItem[]): Promise<(Record<string, unknown> | void | Error)[]>;
}

/** One due job handed to `runMany`: what `run` gets besides the runtime. */
export type OnceJobItem = Pick<JobContext, "payload" | "key" | "attempt" | "dueAt">;

export type JobDef = RecurringJobDef | OnceJobDef;

export interface PluginServer {
  /** On the first install only, after its tables exist: statements (e.g. starter records) run in one batch. */
  onInstall?(ctx: Runtime): Promise<Stmt[]>;
  /** Hooks per table key of this plugin (or `plugin/table` of a dependency). */
  hooks?: Record<string, TableHooks>;
  actions?: Record<string, ActionDef>;
  jobs?: Record<string, JobDef>;
  /** Per table key: how its records become calendar events (recurrence, per-occurrence changes). */
  calendars?: Record<string, CalendarSource>;
}

/** A time range [from, to), ISO 8601 UTC instants. */
export interface TimeRange {
  from: string;
  to: string;
}

/** A record as a calendar or feed read it: under the caller's access, readable fields only, by field key. */
export interface CalendarRecord {
  id: number;
  version: number;
  values: Values;
}

/** One event on a calendar: a single record, or one occurrence of a recurring one. */
export interface CalendarOccurrence {
  recordId: number;
  /** An instant (ISO 8601 UTC), or `YYYY-MM-DD` when `allDay`. */
  start: string;
  /** Exclusive end in the same form as `start`; null when the record has none. */
  end: string | null;
  allDay: boolean;
  /** For an occurrence of a recurring record, its original start (RFC 5545 RECURRENCE-ID); else null. */
  occurrenceOf: string | null;
  /** Values of this occurrence that differ from the record's (e.g. `status` done), by field key. */
  values?: Values;
}

/** A recurring record as RFC 5545 states it, for feeds (ICS). */
export interface CalendarSeries {
  /** The RRULE value, without the `RRULE:` prefix. */
  rrule: string;
  /** DTSTART: the first occurrence's start (instant, or `YYYY-MM-DD` when all-day). */
  start: string;
  /** Duration of each occurrence in minutes (0 when it has no end). */
  durationMinutes: number;
  allDay: boolean;
  /** The IANA zone the rule is computed in (a 09:00 weekly event stays at 09:00 across DST). */
  timeZone: string;
  /** Original starts of occurrences removed or moved out of the series (EXDATE). */
  exdates: string[];
  /** Occurrences that differ from the rule (moved, done): each becomes an event with RECURRENCE-ID. */
  overrides: CalendarOccurrence[];
}

/**
 * How a plugin's table appears on calendars and in feeds, for tables whose records recur. Tables
 * without one are placed by the view's start and end fields alone.
 */
export interface CalendarSource {
  /** Field keys of this table that place an event when no view says otherwise (personal feeds). */
  fields: { start: string; end?: string; title: string; allDay?: string };
  /** The records that are the user's own (e.g. tasks assigned to them), for their personal feed; null: none. */
  personal?(ctx: Runtime): FilterNode | null;
  /**
   * Records that may have an occurrence in the range although their own start is outside it (a
   * series that began earlier), as a filter on this table; OR-ed with "start in range".
   */
  candidates?(ctx: Runtime, range: TimeRange): FilterNode | null;
  /** The occurrences of these records that start within the range, at most `limit` in all. */
  occurrences(
    ctx: Runtime,
    records: CalendarRecord[],
    range: TimeRange,
    limit: number,
  ): Promise<{ occurrences: CalendarOccurrence[]; truncated: boolean }>;
  /** The series of a recurring record (for feeds); null for a single event. */
  series?(ctx: Runtime, record: CalendarRecord): Promise<CalendarSeries | null>;
}

export interface BundledPlugin {
  manifest: PluginManifest;
  server: PluginServer;
}

export type { FieldError };
