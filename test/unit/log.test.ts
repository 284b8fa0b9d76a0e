import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/log.js';
import { sdkLogger } from '../../src/worker/sdk-logger.js';

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

describe('logger and personal data in every spelling', () => {
  it('masks dotted, spaced, dashed, +254 and 07 numbers and drops receiver names, whatever the field', () => {
    const out = capture();
    const log = createLogger({ name: 't', destination: out.stream });
    log.info({ receiverName: '254.711.000.109 - NANCY WAIRIMU', result: { ReceiverPartyPublicName: '+254 722 310 455 - ACHIENG OTIENO' } }, 'settled');
    log.warn({ reference: 'R1', error: 'PesaWay said: 0733-410-562 - KIPRONO LANGAT is not registered' }, 'query failed for (0745) 120 987');
    log.error({ err: new Error('refused 254.768.123.450') }, 'send failed');
    const text = JSON.stringify(out.lines());
    for (const leak of ['NANCY', 'WAIRIMU', 'ACHIENG', 'KIPRONO', '711.000', '722 310', '410-562', '120 987', '768.123', '711000109']) expect(text).not.toContain(leak);
    const [first, second, third] = out.lines();
    expect(first).toMatchObject({ receiverName: '2547*****109', result: { ReceiverPartyPublicName: '2547*****455' }, msg: 'settled' });
    expect(second).toMatchObject({ reference: 'R1', error: 'PesaWay said: 0733***562 is not registered', msg: 'query failed for 0745***987' });
    expect(third).toMatchObject({ err: { message: 'refused 2547*****450' } });
  });

  it('leaves masked destinations, amounts and times readable', () => {
    const out = capture();
    const log = createLogger({ name: 't', destination: out.stream });
    log.info({ destination: '2547*****678', amountMinor: 150000, at: '2026-11-28 09:14:03.120000+00:00' }, 'Row 12 · KES 1,500.00 → 2547*****678 (M-Pesa)');
    expect(out.lines()[0]).toMatchObject({ destination: '2547*****678', amountMinor: 150000, at: '2026-11-28 09:14:03.120000+00:00', msg: 'Row 12 · KES 1,500.00 → 2547*****678 (M-Pesa)' });
  });
});

describe("the Temporal SDK's logs", () => {
  it('go through the same masking, errors included', () => {
    const out = capture();
    const sdk = sdkLogger(createLogger({ name: 't', destination: out.stream }), 'INFO');
    sdk.debug('not shown');
    sdk.warn('Activity failed', { activityType: 'payOut', error: new Error('refused 254.711.000.109 - NANCY WAIRIMU') });
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, sdk: true, activityType: 'payOut', msg: 'Activity failed', err: { message: 'refused 2547*****109' } });
    expect(JSON.stringify(lines)).not.toMatch(/NANCY|711\.000/);
  });
});

describe('the finished log line', () => {
  it('stays valid JSON with large amounts as numbers, while strings are scrubbed', () => {
    const out = capture();
    const log = createLogger({ name: 't', destination: out.stream });
    log.info({ totals: { totalMinor: 100_000_000, succeededMinor: 712_345_678 }, note: 'from "0712 345 678" \\ done' }, 'Batch finished');
    const [line] = out.lines();
    expect(line).toMatchObject({ totals: { totalMinor: 100_000_000, succeededMinor: 712_345_678 }, note: 'from "0712***678" \\ done' });
  });
});
