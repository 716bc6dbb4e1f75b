/**
 * `npm run bench -- --feeds [--runs 30] [--events 2000]`: the ICS feed figure of issue 17 through the API, on
 * its own Worker (`wrangler dev`, a scratch D1 under bench/.data/feeds, the demo workspace): a calendar view of
 * deals by expected close holding `--events` deals in the feed's window, published as a feed, fetched
 * without a token as a calendar app does (target: an ICS feed of 2,000 events under 300 ms). Each fetch's
 * event count is checked. Never part of `npm test`.
 */
import os from "node:os";
import { DEMO_USERS } from "../worker/demo/users";
import { prepareWorkerDir, startDevWorker } from "./lib/dev-worker";
import { summarise, type Summary } from "./lib/stats";

export const FEEDS_TARGET_MS = 300;

export interface FeedsFigures {
  runs: number;
  events: number;
  bytes: number;
  fetch: Summary;
  /** Every fetch held exactly `events` events. */
  exact: boolean;
  load: number[];
}

export async function feedsBench(runs = 30, events = 2000): Promise<FeedsFigures> {
  // lib/dev-worker.ts: a copy of the sources (wrangler dev would restart on others' edits), its own D1.
  const worker = await startDevWorker(prepareWorkerDir("feeds"));
  try {
    let token: string | null = null;
    const call = async <T = any>(method: string, p: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${worker.url}/api${p}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${p} -> ${res.status}: ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : null) as T;
    };
    await call("POST", "/dev/seed", {});
    const admin = DEMO_USERS.find((u) => u.role === "admin")!;
    const signedIn = await call<{ token: string; user: { id: string } }>("POST", "/auth/login", {
      email: admin.email,
      password: admin.password,
    });
    token = signedIn.token;
    const me = signedIn.user.id;
    const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await call("PUT", "/admin/settings/rate-limits", { user: lift, client: lift, rows: lift });
    // The demo seed installs them; a run without its plugins installs them here.
    for (const name of ["customers", "pipeline"])
      await call("POST", `/admin/plugins/${name}/install`).catch(() => null);
    // Deals spread over the feed's window (90 days back to a year ahead), named so a view can pick them.
    const day = (i: number) => new Date(Date.now() + ((i % 440) - 80) * 86_400_000).toISOString().slice(0, 10);
    for (let done = 0; done < events; done += 1000) {
      const n = Math.min(1000, events - done);
      await call("POST", "/tables/deals/records", {
        records: Array.from({ length: n }, (_, i) => ({
          fields: {
            name: `FEEDBENCH ${done + i}, call; "follow-up"`,
            expected_close: day(done + i),
            owner: me,
            amount: { amount: 100_000 + i, currency: "CNY" },
          },
        })),
      });
    }
    await call("POST", "/meta/views", {
      name: "feed_bench_calendar",
      table: "deals",
      type: "calendar",
      label: "Feed bench",
      filter: { field: "name", op: "starts_with", value: "FEEDBENCH " },
      layout: { dateField: "expected_close" },
      roles: [],
    });
    const url = (await call<{ url: string }>("POST", "/feeds/views", { view: "feed_bench_calendar" })).url;
    const feedUrl = url.replace(/^https?:\/\/[^/]+/, worker.url);
    const times: number[] = [];
    let exact = true;
    let bytes = 0;
    // Warm-up fetches are not counted.
    for (let r = -3; r < runs; r++) {
      const t0 = performance.now();
      const res = await fetch(feedUrl);
      const text = await res.text();
      const took = performance.now() - t0;
      if (res.status !== 200) throw new Error(`feed -> ${res.status}: ${text.slice(0, 300)}`);
      if ((text.match(/\r\nBEGIN:VEVENT\r\n/g) ?? []).length !== events) exact = false;
      bytes = text.length;
      if (r >= 0) times.push(took);
    }
    return { runs, events, bytes, fetch: summarise(times), exact, load: os.loadavg() };
  } finally {
    await worker.stop();
  }
}

export function formatFeeds(f: FeedsFigures): string {
  const pass = f.fetch.p50 < FEEDS_TARGET_MS ? "PASS" : "FAIL";
  return [
    `### ICS feed (issue 17), ${f.runs} fetches, through the API (wrangler dev)`,
    "",
    "| What | p50 ms | p95 ms | Target (median) |",
    "|---|---:|---:|---|",
    `| a published calendar view with ${f.events} events (${Math.round(f.bytes / 1024)} KB of ICS), fetched without a token | ${f.fetch.p50.toFixed(1)} | ${f.fetch.p95.toFixed(1)} | < ${FEEDS_TARGET_MS} ms: ${pass} |`,
    "",
    `Every fetch held exactly ${f.events} events: ${f.exact ? "yes" : "NO"}. Load average after (1, 5, 15 min): ${f.load.map((l) => l.toFixed(2)).join(", ")}.`,
  ].join("\n");
}
