/** Small process helpers shared by the browser benches. */
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { ROOT } from "./server";

/** Runs `node <args>` in the project root and throws with the tail of its output when it fails. */
export function runNode(args: string[], what: string, env: NodeJS.ProcessEnv): void {
  const res = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0)
    throw new Error(`${what} failed:\n${(res.stdout ?? "").slice(-2000)}\n${(res.stderr ?? "").slice(-2000)}`);
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}
