import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../main";
import type { Env } from "../../worker/env";
import { createUser as insertUser, type PublicUser } from "../../worker/auth/users";

/** The Worker's bindings, typed (cloudflare:test types `env` as the empty Cloudflare.Env). */
export const testEnv = env as unknown as Env;

export interface TestUser {
  user: PublicUser;
  email: string;
  password: string;
}

/** Storage may be shared between tests, so every user gets a unique email. */
export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}@test.example`;
}

export async function createUser(
  roles: string[] = [],
  overrides: { email?: string; name?: string; password?: string } = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail(roles[0] ?? "user");
  const password = overrides.password ?? `pw-${crypto.randomUUID()}`;
  const user = await insertUser(testEnv.DB, { email, name: overrides.name ?? "Test User", password, roles });
  return { user, email, password };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or null when the body is empty or not JSON. */
  body: T;
  text: string;
}

/**
 * Calls the Worker under /api; `path` may omit the /api prefix. A string body is sent raw.
 * The exported fetch handler is called in this isolate (same app, real D1, real auth) rather than
 * through SELF.fetch, which slows down with every earlier request in a file (workers-sdk#15446).
 */
export async function request(
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const url = `http://x${path.startsWith("/api/") ? path : `/api${path.startsWith("/") ? "" : "/"}${path}`}`;
  const h = new Headers(headers);
  if (token && !h.has("authorization")) h.set("authorization", `Bearer ${token}`);
  if (body !== undefined && !h.has("content-type")) h.set("content-type", "application/json");
  const ctx = createExecutionContext();
  const req = new Request(url, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
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

/** A client bound to one token (or none): `api(token).get("/auth/me")`. */
export function api(token?: string) {
  return {
    request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      request(token, method, path, body, headers),
    get: (path: string, headers?: Record<string, string>) => request(token, "GET", path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      request(token, "POST", path, body, headers),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) =>
      request(token, "PATCH", path, body, headers),
    delete: (path: string, body?: unknown, headers?: Record<string, string>) =>
      request(token, "DELETE", path, body, headers),
  };
}

/** Signs in through the real endpoint and returns the access token; fails loudly otherwise. */
export async function login(email: string, password: string): Promise<string> {
  const res = await api().post("/auth/login", { email, password });
  if (res.status !== 200) throw new Error(`login failed for ${email}: ${res.status} ${res.text}`);
  return res.body.token as string;
}

/** A fresh user with the given roles, signed in. */
export async function userWithToken(roles: string[] = []): Promise<TestUser & { token: string }> {
  const u = await createUser(roles);
  return { ...u, token: await login(u.email, u.password) };
}
