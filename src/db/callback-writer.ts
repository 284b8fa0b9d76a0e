import type pg from 'pg';
import type { Logger } from '../common/log.js';
import { type CallbackToStore, storeCallback, storeCallbacks } from './callbacks.js';
import { createPool } from './pool.js';
import { storageFault } from './storage-errors.js';

type Queryable = pg.Pool | pg.PoolClient;

/** Turns `synchronous_commit` back on for this session when the server or role turned it off. */
const KEEP_DURABLE = `SELECT set_config('synchronous_commit', 'on', false) WHERE current_setting('synchronous_commit') = 'off'`;

export interface CallbackWriterOptions {
  /** Rows in one INSERT at most. */
  maxBatch?: number;
  /** INSERTs in flight at once; callbacks arriving meanwhile wait and go together in the next one. */
  maxInFlight?: number;
}

interface Waiting {
  callback: CallbackToStore;
  resolve: (id: number) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the callback receiver: callbacks arriving while an INSERT is in flight are stored
 * together by the next one (one statement, one round trip, one commit and WAL flush for all of them),
 * and each caller's promise resolves only once its row is committed, so the store-first guarantee holds:
 * PesaWay is acknowledged only after its callback is durable. There is no timer: a lone callback goes at
 * once (the next turn of the event loop); under load the batches grow by themselves. If a grouped INSERT
 * fails, its rows are stored one by one, so one row PostgreSQL refuses fails only its own request; if it
 * failed because PostgreSQL cannot take writes at all (unreachable, read-only, full: `storageFault`), every
 * callback of the group fails with that error at once and none is acknowledged. If the server or the role
 * has `synchronous_commit` off, each of its sessions turns it back on.
 */
export class CallbackWriter {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  /** Connections whose session settings were checked (see `KEEP_DURABLE`). */
  private readonly checked = new WeakSet<pg.PoolClient>();

  constructor(
    private readonly pool: pg.Pool,
    options: CallbackWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Resolves to the stored callback's id once its row is committed; rejects if it could not be stored. */
  store(callback: CallbackToStore): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ callback, resolve, reject });
      this.schedule();
    });
  }

  /** Callbacks waiting for their INSERT and INSERTs in flight (for tests and shutdown). */
  get backlog(): { queued: number; inFlight: number } {
    return { queued: this.queue.length, inFlight: this.inFlight };
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    // Everything whose body arrived in this turn of the event loop joins the same INSERT.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    let broken: Error | undefined;
    try {
      if (!this.checked.has(client)) {
        await client.query(KEEP_DURABLE);
        this.checked.add(client);
      }
      const ids = await storeCallbacks(client, batch.map((w) => w.callback));
      batch.forEach((w, i) => w.resolve(ids[i]!));
      return;
    } catch (err) {
      if (batch.length === 1 || storageFault(err)) {
        // Not one row's fault: the same error for every callback of the group (one by one would only
        // meet it again, on a connection that may be gone), and that connection is not reused.
        for (const w of batch) w.reject(err);
        broken = err instanceof Error ? err : new Error(String(err));
        return;
      }
      // One row may be what PostgreSQL refused: each on its own, so the others are still stored.
      for (const w of batch) {
        try {
          w.resolve(await storeCallback(client, w.callback));
        } catch (rowErr) {
          w.reject(rowErr);
          broken = rowErr instanceof Error ? rowErr : new Error(String(rowErr));
        }
      }
    } finally {
      // A connection that saw an error is not reused: it may be the reason.
      client.release(broken);
    }
  }
}

/**
 * The receiver's own connections, so deliveries and API reads never make a callback wait for one.
 * `CallbackWriter` keeps `synchronous_commit` on for them (an acknowledgement must mean the row is on disk).
 */
export function createCallbackStorePool(connectionString: string, connections: number, log?: Logger): pg.Pool {
  return createPool(connectionString, connections, log);
}

/** Warns when PostgreSQL cannot keep an acknowledged callback through a crash (fsync off). */
export async function warnIfNotDurable(db: Queryable, log: Logger): Promise<void> {
  const { rows } = await db.query<{ fsync: string }>(`SELECT current_setting('fsync') AS fsync`);
  if (rows[0]?.fsync === 'off') log.warn('PostgreSQL runs with fsync=off: an acknowledged callback can be lost in a crash. Turn fsync on outside throwaway test clusters.');
}
