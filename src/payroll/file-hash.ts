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
  remove: () => Promise<void>;
}

/**
 * Copies the input to a private temporary file while hashing it: for a file submitted without a batch id,
 * whose id (derived from the hash) is needed before its rows can be stored. Memory stays constant.
 */
export async function spoolInput(input: PayrollInput): Promise<SpooledFile> {
  const dir = await mkdtemp(join(tmpdir(), 'disburse-ingest-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'payroll.csv');
    const out = createWriteStream(path, { mode: 0o600 });
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of input) {
        const buf = toBuffer(chunk);
        hash.update(buf);
        size += buf.length;
        if (!out.write(buf)) await once(out, 'drain');
      }
    } finally {
      out.end();
    }
    await finished(out);
    return { path, sha256: hash.digest('hex'), size, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
