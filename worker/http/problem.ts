import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../errors";
import type { AppEnv } from "../env";

/** Renders any thrown error as problem+json; unknown errors become a 500 without internals. */
export function renderProblem(err: unknown, c: Context<AppEnv>): Response {
  let appError: AppError;
  if (err instanceof AppError) {
    appError = err;
  } else if (err instanceof HTTPException && err.status === 413) {
    appError = new AppError("payload_too_large", "The request body is too large");
  } else if (err instanceof HTTPException && err.status < 500) {
    appError = new AppError(err.status === 401 ? "unauthenticated" : "bad_request", err.message || "Bad request");
  } else {
    console.error(`[${c.get("requestId") ?? "-"}]`, err);
    appError = new AppError("internal", "Something went wrong on our side; the request id identifies it");
  }
  const body = appError.toProblem(c.get("requestId"));
  // Every problem names what is wrong in `errors`, even when no single field is to blame.
  if (appError.errors.length === 0) body.errors = [{ field: "", code: appError.code, message: appError.message }];
  return new Response(JSON.stringify(body), {
    status: appError.status,
    headers: { "content-type": "application/problem+json", ...appError.headers },
  });
}
