import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src/webhooks/signature.js';

const SECRET = 'whsec_test-secret-0123456789abcdef';
const BODY = '{"id":"evt_1","type":"batch.completed","createdAt":"2026-12-02T00:00:00.000Z","data":{"batchId":"b1"}}';
const T = 1_764_633_600;

describe('webhook signatures', () => {
  it('signs HMAC-SHA256 over "<t>.<raw body>" as t=…,v1=…', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, T, BODY)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies its own signature within the tolerance, from the string or the bytes', () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T + 299 })).toEqual({ ok: true, timestamp: T });
    expect(verifyWebhook(SECRET, header, Buffer.from(BODY), { nowSeconds: T - 10 })).toEqual({ ok: true, timestamp: T });
  });

  it('refuses a tampered body, another secret, and a signature moved to another timestamp', () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhook(SECRET, header, BODY.replace('b1', 'b2'), { nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(`${SECRET}x`, header, BODY, { nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
    const moved = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(verifyWebhook(SECRET, moved, BODY, { nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a stale or future timestamp even with a valid signature', () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T - 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T + 3600, toleranceSeconds: 7200 }).ok).toBe(true);
  });

  it('accepts any matching v1 (secret rotation) and refuses malformed headers', () => {
    const good = signWebhook(SECRET, T, BODY).split(',')[1]!;
    expect(verifyWebhook(SECRET, `t=${T},v1=${'0'.repeat(64)},${good}`, BODY, { nowSeconds: T }).ok).toBe(true);
    for (const bad of [undefined, '', `v1=${'0'.repeat(64)}`, `t=${T}`, `t=abc,${good}`, `t=${T},v1=xyz`]) {
      expect(verifyWebhook(SECRET, bad, BODY, { nowSeconds: T })).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
