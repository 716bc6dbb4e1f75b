/**
 * Serves the bench's bundled Worker straight from workerd (Miniflare), without wrangler dev's proxy
 * chain in front: the request path a deployed Worker has (HTTP into the runtime, D1 beside it).
 * wrangler dev adds a second workerd and a Node hop per request that only exist for local hot reload.
 *
 * Run as its own process (process group) by server.ts: `tsx workerd-host.ts <config> <persist> <port> <secret>`.
 * Prints "ready <url>" once the Worker answers, and stops on SIGTERM.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const [configPath, persistTo, port, tokenSecret] = process.argv.slice(2);
if (!configPath || !persistTo || !port || !tokenSecret)
  throw new Error("usage: workerd-host.ts <wrangler.toml> <persist dir> <port> <token secret>");

const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
const mf = new Miniflare({
  ...(workerOptions as object),
  // The API figures need no static assets; the bundle is one ES module beside the config.
  assets: undefined,
  modules: true,
  // The frozen config's main names the bundle beside it.
  scriptPath: path.join(path.dirname(configPath), /^main\s*=\s*"([^"]+)"/m.exec(readFileSync(configPath, "utf8"))![1]!),
  bindings: { ...(workerOptions.bindings ?? {}), TOKEN_SECRET: tokenSecret },
  d1Persist: path.join(persistTo, "v3", "d1"),
  host: "127.0.0.1",
  port: Number(port),
} as ConstructorParameters<typeof Miniflare>[0]);
const url = await mf.ready;
console.log(`ready ${url.href}`);
const stop = () => void mf.dispose().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
