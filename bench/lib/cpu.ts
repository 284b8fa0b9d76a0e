import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU seconds used by each part of the stack, read from /proc: the cheapest profile that names the
 * bottleneck on a small machine. Processes are told apart by their command line (`markers`); PostgreSQL
 * backends by their parent, the postmaster whose command line names our data directory.
 */
export type CpuSnapshot = Map<number, { part: string; seconds: number }>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function readProc(pid: string): { cmdline: string; ppid: number; seconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { cmdline, ppid, seconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** `markers`: part name -> a string only that part's command line contains. */
export function cpuSnapshot(markers: Record<string, string>): CpuSnapshot {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((pid) => [Number(pid), readProc(pid)] as const);
  const snapshot: CpuSnapshot = new Map();
  const partOf = new Map<number, string>();
  for (const [pid, p] of procs) {
    const part = p && Object.entries(markers).find(([, marker]) => p.cmdline.includes(marker))?.[0];
    if (part) partOf.set(pid, part);
  }
  for (const [pid, p] of procs) {
    if (!p) continue;
    const part = partOf.get(pid) ?? partOf.get(p.ppid);
    if (part) snapshot.set(pid, { part, seconds: p.seconds });
  }
  return snapshot;
}

/** CPU seconds per part between two snapshots (processes that ended in between are not counted). */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [pid, { part, seconds }] of after) {
    spent[part] = Math.round(((spent[part] ?? 0) + seconds - (before.get(pid)?.seconds ?? 0)) * 10) / 10;
  }
  return spent;
}
