import { Connection } from '@temporalio/client';
import { AppError } from '../common/errors.js';
import { startChild } from './child-process.js';
import { assertPortFree } from './ports.js';
import { SEARCH_ATTRIBUTES, ensureSearchAttributes } from './search-attributes.js';

export interface TemporalDevServerOptions {
  cliPath: string;
  port: number;
  /** Web UI port; omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file for persistence; omit for an in-memory server (tests). */
  dbFile?: string;
  namespace?: string;
  readyTimeoutMs?: number;
}

export interface TemporalDevServer {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  stop: () => Promise<void>;
}

export class TemporalServerError extends AppError {}

/** Waits until the frontend answers for our namespace; fails fast if the process died. */
async function waitUntilReady(address: string, namespace: string, deadline: number, exited: Promise<unknown>, output: () => string): Promise<Connection> {
  let died = false;
  void exited.then(() => {
    died = true;
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (died) {
      throw new TemporalServerError('temporal_start_failed', `The Temporal dev server exited during start-up. Its output:\n${output().slice(-2000)}`, {
        hint: 'Check the output above; a stale lock on the SQLite file or a port taken by another process are the usual causes.',
      });
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace });
      return connection;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new TemporalServerError('temporal_not_ready', `The Temporal dev server at ${address} was not ready in time (${String(lastError)}).`, {
    hint: 'The machine may be overloaded; retry, or raise the readiness timeout.',
  });
}

/** Starts `temporal server start-dev` bound to 127.0.0.1 with our search attributes registered. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const namespace = options.namespace ?? 'default';
  await assertPortFree('The Temporal dev server', options.port, 'TEMPORAL_PORT');
  if (options.uiPort !== undefined) await assertPortFree('The Temporal Web UI', options.uiPort, 'TEMPORAL_UI_PORT');

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const name of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);

  const child = startChild(options.cliPath, args);
  const address = `127.0.0.1:${options.port}`;
  try {
    const connection = await waitUntilReady(address, namespace, Date.now() + (options.readyTimeoutMs ?? 60_000), child.exited, child.output);
    try {
      await ensureSearchAttributes(connection, namespace);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await child.stop(2000);
    throw err;
  }
  return {
    address,
    namespace,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    stop: () => child.stop(10_000),
  };
}
