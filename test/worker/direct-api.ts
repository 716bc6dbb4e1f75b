/**
 * Like `api(token)` from ./helpers, but calls the Worker's exported fetch handler in this isolate
 * (same app, same real D1 binding, same auth) instead of going through `SELF.fetch`.
 *
 * Why: under @cloudflare/vitest-pool-workers every SELF.fetch gets slower as the number of SELF
 * requests made in the same workerd instance grows (≈0.2 ms more per earlier request here, so a
 * file making ~1,300 requests spent over 4 minutes); see cloudflare/workers-sdk#15446. Calling the
 * handler directly stays flat (~1 ms), which request-heavy suites (pagination walks, property tests) need.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import type { ApiResponse } from "./helpers";

export async function directRequest(token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const url = `http://x${path.startsWith("/api/") ? path : `/api${path.startsWith("/") ? "" : "/"}${path}`}`;
  const h = new Headers(headers);
  if (token && !h.has("authorization")) h.set("authorization", `Bearer ${token}`);
  if (body !== undefined && !h.has("content-type")) h.set("content-type", "application/json");
  const ctx = createExecutionContext();
  const req = new Request(url, { method, headers: h, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const res = await worker.fetch(req, env as never, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function directApi(token?: string) {
  return {
    request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => directRequest(token, method, path, body, headers),
    get: (path: string, headers?: Record<string, string>) => directRequest(token, "GET", path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => directRequest(token, "POST", path, body, headers),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) => directRequest(token, "PATCH", path, body, headers),
    delete: (path: string, body?: unknown, headers?: Record<string, string>) => directRequest(token, "DELETE", path, body, headers),
  };
}
