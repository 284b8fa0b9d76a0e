import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { Problem } from './problem.js';

/** `10 MB`, `9.8 KB`: the limit as a person reads it (a small limit must not print as "0 MB"). */
function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
  return `${Number((bytes / 1024).toFixed(1))} KB`;
}

export function fileTooLarge(limit: number): Problem {
  return new Problem(413, 'payload_too_large', 'File too large', `The file is larger than ${size(limit)}. Split the payroll into several files, or ask the operators to raise MAX_UPLOAD_MB.`);
}

/** Passes bytes through until `limit`, then fails the stream with a 413 problem (uploads are streamed, never buffered). */
export function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) {
        done(fileTooLarge(limit));
        return;
      }
      done(null, chunk);
    },
  });
}

/**
 * Reads what is left of an upload that was answered before its end (refused at a bad record, say) and
 * throws it away, so a client still sending gets the answer rather than a reset connection (a socket
 * closed with unread data is reset). Nothing is kept. Past `limit` more bytes, `giveUp` closes the connection.
 */
export function discardRest(upload: Readable, limit: number, giveUp: () => void): void {
  if (upload.readableEnded || upload.destroyed) return;
  let seen = 0;
  upload.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit) giveUp();
  });
  upload.on('error', () => undefined);
  upload.resume();
}
