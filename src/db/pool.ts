import pg from 'pg';
import type { Logger } from '../common/log.js';

// int8 (bigint) columns hold money in minor units and counts; they fit a JS number far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Pool = pg.Pool;

/**
 * A pool that survives PostgreSQL going away (a restart, a failover). pg reports a connection the server
 * closes as an `error` event: on the pool for an idle connection, on the client itself for one checked out
 * (a transaction, a held writer connection), where pg removes the pool's listener. Either would crash the
 * process without a listener, so both get one. The broken connection is dropped; the query that was on it
 * fails and its caller retries; the next query opens a new connection.
 */
export function createPool(connectionString: string, max = 10, log?: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  const lost = (err: Error): void => log?.warn({ error: err.message }, 'PostgreSQL closed a connection; the next query opens a new one');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  return pool;
}
