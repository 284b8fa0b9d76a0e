import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import type { StackConfig } from './config.js';
import { developmentPostgres, type PostgresHandle } from './postgres.js';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-server.js';
import { resolveTemporalTool } from './tools.js';

export interface Stack {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  temporalUiUrl: string | undefined;
  stop: () => Promise<void>;
}

/**
 * Boots what the engine needs on one machine: PostgreSQL (embedded unless DATABASE_URL is set), the
 * migrations, and a Temporal dev server with Web UI and persistent SQLite file (unless TEMPORAL_ADDRESS is
 * set). Anything started is stopped again if a later step fails.
 */
export async function startStack(config: StackConfig, log: (line: string) => void): Promise<Stack> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    await mkdir(config.dataDir, { recursive: true });
    log(config.databaseUrl ? 'PostgreSQL: using DATABASE_URL' : `PostgreSQL: starting embedded server on 127.0.0.1:${config.pgPort}`);
    const postgres: PostgresHandle = await developmentPostgres({ DATABASE_URL: config.databaseUrl }, config.dataDir, config.pgPort, log);
    stops.push(postgres.stop);

    const pool = createPool(postgres.url, 2);
    try {
      const applied = await migrate(pool);
      if (applied.length) log(`PostgreSQL: applied migrations ${applied.join(', ')}`);
    } finally {
      await pool.end();
    }

    let temporal: TemporalDevServer | undefined;
    if (!config.temporalAddress) {
      const cli = await resolveTemporalTool('cli', { toolsDir: config.toolsDir, log });
      log(`Temporal: starting dev server (${cli.path}) on 127.0.0.1:${config.temporalPort}`);
      temporal = await startTemporalDevServer({
        cliPath: cli.path,
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        dbFile: join(config.dataDir, 'temporal.db'),
        namespace: config.temporalNamespace,
      });
      stops.push(temporal.stop);
    }
    return {
      databaseUrl: postgres.url,
      temporalAddress: config.temporalAddress ?? temporal!.address,
      temporalNamespace: config.temporalNamespace,
      temporalUiUrl: temporal?.uiUrl,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
