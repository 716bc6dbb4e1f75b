/** CPU seconds used by each process of a process group (Linux /proc), summed by command name. */
import { readdirSync, readFileSync } from "node:fs";

const TICKS = 100; // USER_HZ on Linux

export function groupCpu(pgid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!pgid) return out;
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  const members: { pid: string; comm: string; sec: number }[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const f = stat.slice(close + 2).split(" ");
      // after "pid (comm) ": state ppid pgrp session ... utime(14th field overall -> index 11 here) stime(12)
      if (Number(f[2]) !== pgid) continue;
      members.push({ pid, comm, sec: (Number(f[11]) + Number(f[12])) / TICKS });
    } catch {
      /* exited */
    }
  }
  // wrangler dev runs two workerd: a proxy on the public port (socket entry=127.0.0.1:<port>) and the
  // Worker's runtime (entry on port 0). The bench's own host runs only the Worker's.
  const oneWorkerd = members.filter((m) => m.comm === "workerd").length === 1;
  for (const { pid, comm, sec } of members) {
    let name = comm;
    if (comm === "workerd") {
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        /* exited */
      }
      name = oneWorkerd || /entry=[\d.]+:0\b/.test(cmd) ? "workerd(worker+D1)" : "workerd(proxy)";
    } else if (comm === "node" || comm.startsWith("MainThread")) name = "node(host)";
    out.set(name, (out.get(name) ?? 0) + sec);
  }
  return out;
}

export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) out.set(k, v - (before.get(k) ?? 0));
  return out;
}

/** `scale` multiplies each value (e.g. 1000 / rows-in-thousands for "ms per 1000 rows"). */
export const formatCpu = (m: Map<string, number>, scale = 1, unit = "s") =>
  [...m]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v * scale).toFixed(unit === "ms" ? 1 : 2)} ${unit}`)
    .join(", ") || `0 ${unit} (nothing measurable)`;

/** Busy CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineBusy(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = line[0]! + line[1]! + line[2]! + line[5]! + line[6]! + (line[7] ?? 0);
    return busy / TICKS;
  } catch {
    return NaN;
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Measures, over a phase, how many cores were busy with processes other than this bench and its server. */
export class OtherLoad {
  private busy0 = machineBusy();
  private group0: Map<string, number>;
  private self0 = process.cpuUsage();
  private t0 = performance.now();
  constructor(private pgid: number | undefined) {
    this.group0 = groupCpu(pgid);
  }
  /** Average number of cores used by everything else during the phase. */
  cores(): number {
    const wall = (performance.now() - this.t0) / 1000;
    const busy = machineBusy() - this.busy0;
    const group = sum(groupCpu(this.pgid)) - sum(this.group0);
    const u = process.cpuUsage(this.self0);
    const self = (u.user + u.system) / 1e6;
    return Math.max(0, (busy - group - self) / wall);
  }
}
