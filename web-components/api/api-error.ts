/** The error every API call throws: the HTTP status and the server's RFC 9457 problem. */
import { problemText } from "../i18n/field-errors";
import type { ApiRecord, FieldProblem, Problem } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    // Worded in the UI's language from the codes; the server's English only for codes it does not know.
    super(problemText(problem, `HTTP ${status}`));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }
  /** The current record the server sent with a 409 (the first one for a bulk write). */
  get current(): ApiRecord | undefined {
    return this.problem.current ?? this.problem.conflicts?.[0]?.current;
  }
  /** Problems per field name: `records/0/fields/amount` and `fields/amount` both become `amount`. */
  fieldErrors(): Map<string, FieldProblem[]> {
    const out = new Map<string, FieldProblem[]>();
    for (const e of this.problem.errors ?? []) {
      const name =
        e.field
          .replace(/^records\/\d+\//, "")
          .replace(/^fields\//, "")
          .split("/")[0] ?? "";
      out.set(name, [...(out.get(name) ?? []), e]);
    }
    return out;
  }
}
