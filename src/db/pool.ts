import pg from 'pg';
import type { Logger } from '../common/log.js';

// int8 (bigint) columns hold money in minor units and counts; they fit a JS number far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Pool = pg.Pool;

/**
 * A pool that survives PostgreSQL going away: an idle connection the server closes (a restart, a failover)
 * is an `error` event on the pool, which would crash the process without a listener. The pool drops that
 * connection and opens a new one for the next query; queries meanwhile fail and their callers retry.
 */
export function createPool(connectionString: string, max = 10, log?: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  pool.on('error', (err) => log?.warn({ error: err.message }, 'PostgreSQL closed an idle connection; the next query opens a new one'));
  return pool;
}
