import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/log.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('removes secrets and masks phone numbers in fields, messages and errors', () => {
    const out = capture();
    const log = createLogger({ name: 't', destination: out.stream });
    log.info({ payout: { phone: '254712345678', amount: 100 }, consumerSecret: 's3cr3t', headers: { authorization: 'Bearer abc' } }, 'paying 254712345678');
    log.error({ err: new Error('PesaWay refused 0712345678') }, 'send failed');
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('12345678');
    const [first, second] = out.lines();
    expect(first).toMatchObject({ payout: { phone: '2547*****678', amount: 100 }, consumerSecret: '[redacted]', msg: 'paying 2547*****678' });
    expect(second).toMatchObject({ err: { message: 'PesaWay refused 0712***678' } });
  });
});
