/** What the filter builder shows for operators and $user variables, and the operand helpers it shares. */
import { msg } from "@lit/localize";
import type { Op } from "./ops";

export function opLabel(op: Op): string {
  switch (op) {
    case "eq":
      return msg("is", { id: "filter.op.eq" });
    case "neq":
      return msg("is not", { id: "filter.op.neq" });
    case "lt":
      return msg("less than", { id: "filter.op.lt" });
    case "lte":
      return msg("at most", { id: "filter.op.lte" });
    case "gt":
      return msg("greater than", { id: "filter.op.gt" });
    case "gte":
      return msg("at least", { id: "filter.op.gte" });
    case "in":
      return msg("is any of", { id: "filter.op.in" });
    case "nin":
      return msg("is none of", { id: "filter.op.nin" });
    case "contains":
      return msg("contains", { id: "filter.op.contains" });
    case "not_contains":
      return msg("does not contain", { id: "filter.op.not_contains" });
    case "starts_with":
      return msg("starts with", { id: "filter.op.starts_with" });
    case "is_empty":
      return msg("is empty", { id: "filter.op.is_empty" });
    case "is_not_empty":
      return msg("is not empty", { id: "filter.op.is_not_empty" });
    case "between":
      return msg("is between", { id: "filter.op.between" });
    case "readable":
      return msg("links to a record the user may read", { id: "filter.op.readable" });
  }
}

export function variableLabel(v: string): string {
  switch (v) {
    case "$user.id":
      return msg("the current user", { id: "filter.var.userId" });
    case "$user.teams":
      return msg("the user's teams", { id: "filter.var.teams" });
    case "$user.teamMembers":
      return msg("members of the user's teams", { id: "filter.var.teamMembers" });
    case "$user.roles":
      return msg("the user's roles", { id: "filter.var.roles" });
    default:
      return v;
  }
}

const TEXTUAL = new Set(["text", "long_text", "email", "phone", "url", "single_select", "multi_select"]);

/** Which $user variables make sense as the operand of `type` with this arity. */
export function variablesFor(type: string, ar: "one" | "list" | "pair"): string[] {
  if (ar === "one") return type === "user" ? ["$user.id"] : [];
  if (ar === "list")
    return type === "user" ? ["$user.teamMembers"] : TEXTUAL.has(type) ? ["$user.teams", "$user.roles"] : [];
  return [];
}

export const isToday = (v: unknown): v is { $today: number } =>
  !!v && typeof v === "object" && !Array.isArray(v) && typeof (v as { $today?: unknown }).$today === "number";
