import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * A process of the benchmark stack (API, worker, sandbox) started from the compiled `dist/`, as in
 * production. Its peak RSS is read from the kernel (VmHWM) while it runs.
 */
export interface Service {
  name: string;
  child: ChildProcess;
  /** Highest resident set size so far, in MB. */
  peakRssMb: () => number;
  output: () => string;
  /** Waits until `pattern` shows in its output (or it exits). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

function vmHwmMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export function startService(name: string, args: string[], env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let peak = 0;
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // VmHWM is lost when the process exits: sample it while it lives.
  const sampler = setInterval(() => (peak = Math.max(peak, vmHwmMb(child.pid))), 500);
  sampler.unref();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    clearInterval(sampler);
    resolve(code);
  }));
  return {
    name,
    child,
    peakRssMb: () => (peak = Math.max(peak, vmHwmMb(child.pid))),
    output: () => out,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before ${pattern}: ${out.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`${name}: no ${pattern} within ${timeoutMs} ms: ${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      peak = Math.max(peak, vmHwmMb(child.pid));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
