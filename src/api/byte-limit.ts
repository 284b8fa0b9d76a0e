import { Transform, type TransformCallback } from 'node:stream';
import { Problem } from './problem.js';

/** Passes bytes through until `limit`, then fails the stream with a 413 problem (uploads are streamed, never buffered). */
export function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) {
        done(new Problem(413, 'payload_too_large', 'File too large', `The file is larger than ${Math.round(limit / 1024 / 1024)} MB. Split the payroll into several files, or ask the operators to raise MAX_UPLOAD_MB.`));
        return;
      }
      done(null, chunk);
    },
  });
}
