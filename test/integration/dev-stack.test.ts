import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadStackConfig } from '../../src/dev/config.js';
import { PortInUseError, freePort, portInUse } from '../../src/dev/ports.js';
import { startEmbeddedPostgres } from '../../src/dev/postgres.js';
import { startStack } from '../../src/dev/stack.js';
import { TemporalServerError, startTemporalDevServer } from '../../src/dev/temporal-server.js';

describe('embedded development stack', () => {
  let scratch: string;
  let blocker: Server;
  let blockedPort: number;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stack-test-'));
    blockedPort = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(blockedPort, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => blocker.close(r));
    await rm(scratch, { recursive: true, force: true });
  });

  it('refuses a taken port with the cause and the fix', async () => {
    const temporalErr = await startTemporalDevServer({ cliPath: inject('temporalCliPath'), port: blockedPort }).catch((e: unknown) => e);
    expect(temporalErr).toBeInstanceOf(PortInUseError);
    expect((temporalErr as PortInUseError).describe()).toMatch(new RegExp(`port ${blockedPort} on 127.0.0.1 is already in use[\\s\\S]*TEMPORAL_PORT`));
    const pgErr = await startEmbeddedPostgres({ dataDir: join(scratch, 'pg-blocked'), port: blockedPort, persistent: false, database: 'x' }).catch((e: unknown) => e);
    expect(pgErr).toBeInstanceOf(PortInUseError);
    expect((pgErr as PortInUseError).describe()).toMatch(/PG_PORT/);
  });

  it('reports a Temporal binary that dies at start-up, with its output, and leaves nothing running', async () => {
    const fake = join(scratch, 'temporal-broken');
    await writeFile(fake, '#!/bin/sh\necho "unknown flag: --ip (simulated)" >&2\nexit 3\n');
    await chmod(fake, 0o755);
    const port = await freePort();
    const err = await startTemporalDevServer({ cliPath: fake, port, readyTimeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalServerError);
    expect((err as TemporalServerError).message).toMatch(/exited during start-up[\s\S]*unknown flag: --ip \(simulated\)/);
    expect(await portInUse(port)).toBe(false);
  });

  it('boots PostgreSQL, migrations and a persistent Temporal with Web UI, and stops without orphans', async () => {
    const [pgPort, temporalPort, temporalUiPort] = [await freePort(), await freePort(), await freePort()];
    const config = loadStackConfig({
      DATA_DIR: join(scratch, 'data'),
      PG_PORT: String(pgPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(temporalUiPort),
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    });
    const lines: string[] = [];
    let stack = await startStack(config, (l) => lines.push(l));
    let stopped = false;
    try {
      expect(stack.temporalUiUrl).toBe(`http://127.0.0.1:${temporalUiPort}`);
      expect((await fetch(stack.temporalUiUrl!)).status).toBe(200);

      const db = new pg.Client({ connectionString: stack.databaseUrl });
      await db.connect();
      const migrated = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      await db.end();
      expect(migrated.rows[0]!.n).toBeGreaterThan(0);

      const connection = await Connection.connect({ address: stack.temporalAddress });
      const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(attrs.customAttributes ?? {})).toEqual(expect.arrayContaining(['BatchId', 'BatchStatus']));
      // A workflow started before a restart must still be there after it (persistent SQLite file).
      const client = new Client({ connection });
      await client.workflow.start('persistenceProbe', { taskQueue: 'nobody-polls', workflowId: 'persist-me' });
      await connection.close();

      await stack.stop();
      stopped = true;
      expect(await portInUse(temporalPort)).toBe(false);
      expect(await portInUse(temporalUiPort)).toBe(false);
      expect(await portInUse(pgPort)).toBe(false);

      stack = await startStack(config, (l) => lines.push(l));
      stopped = false;
      const again = await Connection.connect({ address: stack.temporalAddress });
      const described = await new Client({ connection: again }).workflow.getHandle('persist-me').describe();
      expect(described.status.name).toBe('RUNNING');
      await again.close();
    } finally {
      if (!stopped) await stack.stop();
    }
    expect(await portInUse(temporalPort)).toBe(false);
    expect(await portInUse(pgPort)).toBe(false);
  });
});
