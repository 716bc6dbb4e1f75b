/**
 * Where quotes and orders may move: one transition table per document, the only place a status move
 * is decided (PATCH, board and actions all go through the documents' hooks, which ask here). A plugin
 * that depends on sales (inventory: reserve stock on confirm, release on cancel) adds its effects with
 * `onOrderTransition`; its hook runs inside the order's write and its statements join that batch.
 */
import type { BeforeWriteContext, HookRecord, Stmt } from "../../worker/plugin-sdk";

export const ORDER_STATUSES = [
  "draft",
  "confirmed",
  "partially_shipped",
  "shipped",
  "delivered",
  "closed",
  "cancelled",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Order status -> the statuses it may move to. */
export const ORDER_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  draft: ["confirmed", "cancelled"],
  confirmed: ["partially_shipped", "shipped", "cancelled"],
  // Cancelling a partly shipped order cancels what is not shipped yet.
  partially_shipped: ["shipped", "cancelled"],
  shipped: ["delivered"],
  delivered: ["closed"],
  closed: [],
  cancelled: [],
};

/**
 * Quote moves a person makes; converted, superseded and expired are set only by the server (the
 * quote-to-order and quote-revise actions, the expiry job).
 */
export const QUOTE_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  draft: ["sent"],
  sent: ["accepted", "rejected"],
  accepted: ["rejected"],
  rejected: [],
  expired: [],
  converted: [],
  superseded: [],
};

/** Order statuses whose lines are locked: every status but draft. */
export const orderLinesLocked = (status: unknown): boolean => status !== "draft";

export function allowedMoves(table: Record<string, readonly string[]>, from: unknown): readonly string[] {
  return typeof from === "string" ? (table[from] ?? []) : [];
}

export interface TransitionEvent {
  ctx: BeforeWriteContext;
  record: HookRecord;
  from: string;
  to: string;
}

export type TransitionHandler = (
  e: TransitionEvent,
) => Promise<{ statements?: Stmt[]; problem?: { field: string; code: string; message: string } } | void>;

const handlers = new Map<string, TransitionHandler[]>();

/** Runs `handler` whenever an order moves into `to` (e.g. "confirmed", "cancelled"), inside that write. */
export function onOrderTransition(to: OrderStatus, handler: TransitionHandler): void {
  handlers.set(to, [...(handlers.get(to) ?? []), handler]);
}

export function transitionHandlers(to: string): readonly TransitionHandler[] {
  return handlers.get(to) ?? [];
}
