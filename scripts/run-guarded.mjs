#!/usr/bin/env node
// Runs one command for scripts/start.mjs so that it cannot outlive it:
//   node scripts/run-guarded.mjs <command> [args...]
// The command gets a process group of its own, so everything under it (wrangler's workerd, esbuild's
// service) is ended with it. The whole group is ended when
//   - the parent goes away, however it went (SIGKILL included): the parent holds the write end of
//     our stdin, so its death is an end of file here (and, as a fallback, our parent pid changes);
//   - we get SIGINT, SIGTERM or SIGHUP (passed on as SIGINT or SIGTERM);
//   - the command exits by itself (workerd left behind by a crashed wrangler).
// A graceful signal first; SIGKILL for whatever is still there after GRACE_MS. Exits with the
// command's code.
import { spawn } from "node:child_process";
import { fstatSync } from "node:fs";
import { constants } from "node:os";

const GRACE_MS = 5000;
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/run-guarded.mjs <command> [args...]");
  process.exit(2);
}

const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], detached: true });
const group = child.pid;
let exitCode = null;

/** Sends `signal` to the command's whole process group; false when nothing is left in it. */
function signalGroup(signal) {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  signalGroup(signal);
  setTimeout(() => {
    signalGroup("SIGKILL");
    process.exit(exitCode ?? 1);
  }, GRACE_MS).unref();
}

child.on("error", (err) => {
  console.error(`[run-guarded] ${command}: ${err.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => {
  exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  // The command is gone; anything still in its group is an orphan of it.
  signalGroup("SIGKILL");
  process.exit(exitCode);
});

process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGHUP", () => stop("SIGTERM"));

// Only a pipe from the parent says anything about it (not a terminal, not /dev/null).
const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) {
  process.stdin.on("end", () => stop("SIGTERM"));
  process.stdin.on("error", () => stop("SIGTERM"));
  process.stdin.resume();
}

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop("SIGTERM");
}, 1000).unref();
