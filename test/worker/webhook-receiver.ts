/**
 * A real HTTP receiver for the webhook tests, run in Node by the worker project's global setup
 * (workerd fetches it like any intranet endpoint). Each test uses its own box, `/hook/<box>`:
 * `PUT /plan/<box>` sets what the box answers, in order (status codes, 0 to hang past any timeout, or
 * `{status, retryAfter}`) and the secret to check signatures with; `GET /received/<box>` lists what arrived,
 * each with the signature checked here with node:crypto, independently of the Worker's code.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

interface Received {
  at: number;
  method: string;
  headers: Record<string, string>;
  body: string;
  signatureValid: boolean;
  answered: number;
}
type Answer = number | { status: number; retryAfter: string };
interface Box {
  plan: Answer[];
  secret: string;
  received: Received[];
}

const boxes = new Map<string, Box>();
const box = (id: string): Box => {
  let b = boxes.get(id);
  if (!b) boxes.set(id, (b = { plan: [], secret: "", received: [] }));
  return b;
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, compared in constant time. */
function signatureValid(secret: string, headers: Record<string, string>, body: string): boolean {
  const ts = headers["x-salesgrid-timestamp"];
  const sig = headers["x-salesgrid-signature"];
  if (!secret || !ts || !sig) return false;
  const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`);
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}

let server: Server | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = createServer((req, res) => {
    void (async () => {
      const [, kind, id] = (req.url ?? "").split("?")[0]!.split("/");
      const body = await readBody(req);
      if (kind === "plan" && id && req.method === "PUT") {
        const b = box(id);
        const p = JSON.parse(body) as { plan?: Answer[]; secret?: string };
        b.plan = p.plan ?? b.plan;
        b.secret = p.secret ?? b.secret;
        res.writeHead(204).end();
      } else if (kind === "received" && id) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(box(id).received));
      } else if (kind === "hook" && id) {
        const b = box(id);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const answer = b.plan.length ? b.plan.shift()! : 200;
        const status = typeof answer === "number" ? answer : answer.status;
        const extra = typeof answer === "number" ? {} : { "retry-after": answer.retryAfter };
        b.received.push({
          at: Date.now(),
          method: req.method ?? "",
          headers,
          body,
          signatureValid: signatureValid(b.secret, headers, body),
          answered: status,
        });
        if (status === 0) return; // hang: the sender's timeout ends it
        res.writeHead(status, { "content-type": "text/plain", ...extra }).end(status < 300 ? "ok" : "no");
      } else res.writeHead(404).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  project.provide("webhookReceiver", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

export async function teardown(): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
}

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiver: string;
  }
}
