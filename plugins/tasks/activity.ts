/**
 * Completing a call, meeting or visit logs an activity on its customer (the customers plugin's
 * `activities`), with the task's notes, as effects in the completion's own batch: a refused
 * completion logs nothing.
 */
import { insertEffect, type Runtime, type Stmt, type Values } from "../../worker/plugin-sdk";

const LOGGED = new Set(["call", "meeting", "visit"]);

const first = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);

/** Statements inserting the activity, or none when the task is not a call/meeting/visit on a customer. */
export async function activityEffect(
  rt: Runtime,
  task: Values,
  done: { at: string; notes?: string | null },
): Promise<Stmt[]> {
  const customer = first(task.customer);
  if (!LOGGED.has(String(task.kind)) || customer === null) return [];
  const t = rt.maybeTable("customers/activities");
  if (!t) return [];
  const row: Values = {
    subject: String(task.title ?? "").slice(0, 300) || String(task.kind),
    kind: task.kind,
    at: done.at,
    customer: [customer],
    owner: rt.principal.userId || (typeof task.assignee === "string" ? task.assignee : null),
    notes: done.notes ?? (typeof task.notes === "string" ? task.notes : null),
  };
  const contact = first(task.contact);
  if (contact !== null && t.maybeField("contact")) row.contact = [contact];
  const deal = first(task.deal);
  if (deal !== null && t.maybeField("deal")) row.deal = [deal];
  for (const k of Object.keys(row)) if (!t.maybeField(k)) delete row[k];
  return (await insertEffect(rt, t, [row])).statements;
}
