/**
 * One error model: every failure the API reports is an AppError with a stable code; the code decides
 * the HTTP status through a map the compiler checks for completeness.
 */
export type ErrorCode =
  | "bad_request"
  | "invalid_json"
  | "validation_failed"
  | "unknown_field"
  | "unknown_operator"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "version_conflict"
  | "insufficient_stock"
  | "payload_too_large"
  | "too_many_requests"
  | "unsupported_media_type"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 422,
  unknown_field: 400,
  unknown_operator: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  insufficient_stock: 409,
  payload_too_large: 413,
  too_many_requests: 429,
  unsupported_media_type: 415,
  internal: 500,
};

const TITLES: Record<ErrorCode, string> = {
  bad_request: "Bad request",
  invalid_json: "Malformed JSON",
  validation_failed: "Validation failed",
  unknown_field: "Unknown field",
  unknown_operator: "Unknown operator",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  conflict: "Conflict",
  version_conflict: "Version conflict",
  insufficient_stock: "Insufficient stock",
  payload_too_large: "Payload too large",
  too_many_requests: "Too many requests",
  unsupported_media_type: "Unsupported media type",
  internal: "Internal error",
};

/** One problem in a request; `field` is a JSON-pointer-like path such as `records/3/fields/amount`. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
  /** The values the message names (a limit, the expected type), so a client can word it in its own language. */
  params?: Record<string, string | number>;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }

  /** RFC 9457 problem details body. */
  toProblem(instance?: string): Record<string, unknown> {
    return {
      type: `/problems/${this.code.replaceAll("_", "-")}`,
      title: TITLES[this.code],
      status: this.status,
      code: this.code,
      detail: this.message,
      ...(instance ? { instance } : {}),
      errors: this.errors,
      ...this.extra,
    };
  }
}

export const badRequest = (field: string, message: string, code = "invalid") =>
  new AppError("bad_request", message, [{ field, code, message }]);

export const invalid = (errors: FieldError[], message = "The request has invalid values") =>
  new AppError("validation_failed", message, errors);

export const notFound = (what: string, field = "") =>
  new AppError(
    "not_found",
    `${what} not found`,
    field ? [{ field, code: "not_found", message: `${what} not found` }] : [],
  );

export const forbidden = (action: string, message = `You may not ${action}`) =>
  new AppError("forbidden", message, [{ field: action, code: "forbidden", message }]);
