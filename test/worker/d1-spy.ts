/**
 * Calls the Worker with a D1 binding that reports every round trip (one statement's first/all/run/raw,
 * or a batch) with its SQL before running it on the real database. Lets a test count round trips, or
 * make a concurrent change at an exact point of a request (say, just before its write batch).
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../main";
import type { ApiResponse } from "./helpers";

export interface RoundTrip {
  kind: "first" | "all" | "run" | "raw" | "batch";
  sql: string[];
}

type OnCall = (call: RoundTrip) => void | Promise<void>;

const real = new WeakMap<object, { stmt: D1PreparedStatement; sql: string }>();

function wrapStatement(stmt: D1PreparedStatement, sql: string, onCall: OnCall): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      if (prop === "bind") return (...values: unknown[]) => wrapStatement(target.bind(...values), sql, onCall);
      if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") {
        return async (...args: unknown[]) => {
          await onCall({ kind: prop, sql: [sql] });
          return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  real.set(proxy, { stmt, sql });
  return proxy;
}

export function spyDb(db: D1Database, onCall: OnCall): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrapStatement(target.prepare(sql), sql, onCall);
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          const unwrapped = stmts.map((s) => real.get(s) ?? { stmt: s, sql: "?" });
          await onCall({ kind: "batch", sql: unwrapped.map((u) => u.sql) });
          return target.batch(unwrapped.map((u) => u.stmt));
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Like helpers.request, with the spied D1 binding in place of the real one. */
export async function requestWithDb(
  db: D1Database,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const headers = new Headers({ authorization: `Bearer ${token}` });
  if (body !== undefined) headers.set("content-type", "application/json");
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://x/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { ...env, DB: db } as never,
    ctx,
  );
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
