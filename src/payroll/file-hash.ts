import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { toBuffer, type PayrollInput } from './input.js';

export interface FileDigest {
  sha256: string;
  size: number;
}

/** Reads the input to its end, hashing it. */
export async function digestInput(input: PayrollInput): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of input) {
    const buf = toBuffer(chunk);
    hash.update(buf);
    size += buf.length;
  }
  return { sha256: hash.digest('hex'), size };
}

export interface SpooledFile extends FileDigest {
  path: string;
  /** False when `stopAt` refused a chunk: the copy ends there and the rest of the input was never read. */
  complete: boolean;
  remove: () => Promise<void>;
}

/**
 * Copies the input to a private temporary file while hashing it: for a file submitted without a batch id,
 * whose id (derived from the hash) is needed before its rows can be stored. Memory stays constant.
 * `keepGoing` sees every chunk (after it is written); false stops the copy and leaves the input unread.
 */
export async function spoolInput(input: PayrollInput, keepGoing: (chunk: Buffer) => boolean = () => true): Promise<SpooledFile> {
  const dir = await mkdtemp(join(tmpdir(), 'disburse-ingest-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'payroll.csv');
    const out = createWriteStream(path, { mode: 0o600 });
    const hash = createHash('sha256');
    let size = 0;
    let complete = true;
    try {
      for await (const chunk of input) {
        const buf = toBuffer(chunk);
        hash.update(buf);
        size += buf.length;
        if (!out.write(buf)) await once(out, 'drain');
        if (!keepGoing(buf)) {
          complete = false;
          break;
        }
      }
    } finally {
      out.end();
    }
    await finished(out);
    return { path, sha256: hash.digest('hex'), size, complete, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
