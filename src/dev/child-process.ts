import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Child processes started by the embedded stack. Every child is registered so that an exit of this
 * process (normal, Ctrl-C, SIGTERM, uncaught error) stops it too: the stack never leaves orphans.
 */
const children = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
}

export interface ManagedChild {
  readonly process: ChildProcess;
  /** Output seen so far (bounded), for error messages when the child dies early. */
  output: () => string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop: (graceMs?: number) => Promise<void>;
  readonly exited: Promise<number | null>;
}

export function startChild(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ManagedChild {
  hookExit();
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
    child.once('error', (err) => {
      keep(Buffer.from(String(err)));
      children.delete(child);
      resolve(-1);
    });
  });
  return {
    process: child,
    output: () => output,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
