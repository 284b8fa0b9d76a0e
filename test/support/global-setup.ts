/**
 * One Temporal dev server (headless, in memory) and one embedded PostgreSQL (throwaway data dir) for the
 * whole test run, on free loopback ports. Test files get their addresses through `inject()`; helpers in
 * this folder give each file its own database and task queues. Both servers stop when the run ends,
 * whether tests passed or not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../src/dev/ports.js';
import { startEmbeddedPostgres, type PostgresHandle } from '../../src/dev/postgres.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal-server.js';
import { resolveTemporalTool } from '../../src/dev/tools.js';
import { writeWorkflowBundle } from '../../src/worker/bundle.js';
import { ensureConsoleBuilt } from './console-build.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string): void => void process.stderr.write(`[test stack] ${line}\n`);
  const scratch = await mkdtemp(join(tmpdir(), 'disburse-test-'));
  let postgres: PostgresHandle | undefined;
  let temporal: TemporalDevServer | undefined;
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([temporal?.stop(), postgres?.stop()]);
    await rm(scratch, { recursive: true, force: true });
  };
  try {
    const [cli, testServer] = [await resolveTemporalTool('cli', { log }), await resolveTemporalTool('testServer', { log })];
    const workflowBundlePath = join(scratch, 'workflow-bundle.js');
    const [pgResult, temporalResult, bundleResult, consoleResult] = await Promise.allSettled([
      freePort().then((port) => startEmbeddedPostgres({ dataDir: join(scratch, 'pg'), port, persistent: false, database: 'disburse_test', fast: true, log })),
      freePort().then((port) => startTemporalDevServer({ cliPath: cli.path, port })),
      writeWorkflowBundle(workflowBundlePath),
      ensureConsoleBuilt(log),
    ]);
    if (pgResult.status === 'fulfilled') postgres = pgResult.value;
    if (temporalResult.status === 'fulfilled') temporal = temporalResult.value;
    if (pgResult.status === 'rejected') throw pgResult.reason;
    if (temporalResult.status === 'rejected') throw temporalResult.reason;
    if (bundleResult.status === 'rejected') throw bundleResult.reason;
    if (consoleResult.status === 'rejected') throw consoleResult.reason;
    if (!postgres || !temporal) throw new Error('unreachable: both servers settled');
    project.provide('temporalAddress', temporal.address);
    project.provide('postgresAdminUrl', postgres.adminUrl);
    project.provide('temporalCliPath', cli.path);
    project.provide('temporalTestServerPath', testServer.path);
    project.provide('workflowBundlePath', workflowBundlePath);
    log(`Temporal ${temporal.address}, PostgreSQL ${postgres.adminUrl.replace(/:[^:@/]+@/, ':***@')}`);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresAdminUrl: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
    /** The engine's workflows, bundled once for every test file's workers. */
    workflowBundlePath: string;
  }
}
