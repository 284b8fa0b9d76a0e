import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/errors.js';
import { WEBHOOK_URL_PATTERN, loadWebhookEndpoints, parseWebhookEndpoints, safeUrl, urlProblem } from '../../src/webhooks/endpoints-config.js';
import { webhookPayload } from '../../src/webhooks/payload.js';

const SECRET = 'whsec_0123456789abcdef';

describe('WEBHOOK_ENDPOINTS', () => {
  it('parses url|secret|types entries; no types or * means every type', () => {
    const parsed = parseWebhookEndpoints(` https://a.example/hook|${SECRET}|batch.completed+payout.failed , http://127.0.0.1:9/x|${SECRET}|*,https://b.example/|${SECRET}`);
    expect(parsed.map((e) => [e.url, e.eventTypes])).toEqual([
      ['https://a.example/hook', ['batch.completed', 'payout.failed']],
      ['http://127.0.0.1:9/x', ['*']],
      ['https://b.example/', ['*']],
    ]);
    expect(parsed[0]!.id).toMatch(/^we_env_[0-9a-f]{16}$/);
    // The id follows the url, so a restart keeps the endpoint's cursor.
    expect(parseWebhookEndpoints(`https://a.example/hook|${SECRET}2|*`)[0]!.id).toBe(parsed[0]!.id);
    expect(parseWebhookEndpoints(undefined)).toEqual([]);
    expect(parseWebhookEndpoints(' ')).toEqual([]);
  });

  it('refuses malformed entries naming the entry and what to fix, never echoing the secret', () => {
    const cases: Array<[string, RegExp]> = [
      ['https://a.example/hook', /entry 1 must be <url>\|<secret>\|<types>/],
      [`ftp://a.example|${SECRET}|*`, /entry 1: the url must be http or https/],
      [`not a url|${SECRET}|*`, /entry 1: the url is not a URL/],
      ['https://a.example/h|short|*', /entry 1 \(https:\/\/a.example\/h\): the secret is shorter than 16/],
      [`https://a.example/h|${SECRET}|batch.done`, /unknown event types batch.done/],
      [`https://a.example/h|${SECRET}|*,https://a.example/h|${SECRET}|*`, /entry 2: https:\/\/a.example\/h is listed twice/],
      [`https://a.example/h|${SECRET}|*|extra`, /entry 1 must be/],
    ];
    for (const [raw, message] of cases) {
      let thrown: unknown;
      try {
        parseWebhookEndpoints(raw);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, raw).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain(SECRET);
    }
  });

  it('refuses the old unsigned FUNDS_ALERT_WEBHOOK_URL with what to use instead', () => {
    expect(() => loadWebhookEndpoints({ FUNDS_ALERT_WEBHOOK_URL: 'https://x.example' })).toThrow(ConfigError);
    try {
      loadWebhookEndpoints({ FUNDS_ALERT_WEBHOOK_URL: 'https://x.example' });
    } catch (err) {
      expect((err as ConfigError).hint).toMatch(/WEBHOOK_ENDPOINTS=.*batch.awaiting_funds/);
    }
  });

  it('shows urls without their query string', () => {
    expect(safeUrl('https://a.example/hook?token=s3cret')).toBe('https://a.example/hook');
  });
});

describe('webhook payloads', () => {
  const base = { batchId: 'b1', reference: null, createdAt: new Date('2026-12-02T00:00:00Z'), batch: { status: 'AWAITING_FUNDS', payouts: 3, totalMinor: 300_000 }, payout: null };

  it('a funds alert carries the shortfall in minor units and KES', () => {
    const p = webhookPayload({ ...base, id: '42', kind: 'batch.awaiting_funds', detail: { shortfallMinor: 101_200, availableMinor: 0, neededMinor: 202_400 } });
    expect(p).toEqual({
      id: 'evt_42',
      type: 'batch.awaiting_funds',
      createdAt: '2026-12-02T00:00:00.000Z',
      data: { batchId: 'b1', status: 'AWAITING_FUNDS', payouts: 3, totalAmountMinor: 300_000, totalAmount: '3000.00', shortfallMinor: 101_200, shortfall: '1012.00', availableMinor: 0, available: '0.00', neededMinor: 202_400, needed: '2024.00' },
    });
  });

  it('a rejection carries who rejected and why (phone numbers in the reason masked); the batch ends CANCELLED', () => {
    const p = webhookPayload({ ...base, id: '43', kind: 'batch.rejected', detail: { by: 'bob', reason: 'Call 254712345678 about row 4' } });
    expect(p).toMatchObject({ id: 'evt_43', type: 'batch.rejected', data: { batchId: 'b1', status: 'CANCELLED', rejectedBy: 'bob', payouts: 3, totalAmount: '3000.00' } });
    expect(p.data['reason']).toMatch(/^Call 2547\*+678 about row 4$/);
    expect(JSON.stringify(p)).not.toContain('254712345678');
  });

  it('a failed payout carries its row, amount and result, with phone numbers in texts masked', () => {
    const p = webhookPayload({
      ...base,
      id: '7',
      kind: 'payout.failed',
      reference: 'REF1',
      detail: {},
      payout: { rowNo: 2, attempt: 1, channel: 'MPESA', amountMinor: 150_000, status: 'failed', resultCode: 2040, resultDesc: 'Subscriber 254700000404 unknown', failureReason: null, transactionId: 'PHY1' },
    });
    expect(p.data).toEqual({ batchId: 'b1', reference: 'REF1', status: 'failed', row: 2, attempt: 1, channel: 'MPESA', amountMinor: 150_000, amount: '1500.00', transactionId: 'PHY1', resultCode: 2040, resultDesc: 'Subscriber 2547*****404 unknown', failureReason: null });
    expect(JSON.stringify(p)).not.toContain('254700000404');
  });

  it('a flagged payout carries its reason and the answers that disagree, nothing personal', () => {
    const p = webhookPayload({
      ...base,
      id: '9',
      kind: 'payout.attention',
      reference: 'REF2',
      detail: { reason: 'contradiction', recorded: 'succeeded', reported: 'failed', resultCode: 2001, transactionId: 'PHY2', note: 'Jane 254711000109' },
      payout: { rowNo: 3, attempt: 1, channel: 'MPESA', amountMinor: 10_600, status: 'succeeded', resultCode: 0, resultDesc: 'ok', failureReason: null, transactionId: 'PHY2' },
    });
    expect(p).toMatchObject({ id: 'evt_9', type: 'payout.attention', data: { reference: 'REF2', status: 'succeeded', reason: 'contradiction', evidence: { recorded: 'succeeded', reported: 'failed', resultCode: 2001 } } });
    expect(JSON.stringify(p)).not.toMatch(/Jane|254711000109/);
  });
});

describe('the endpoint URL pattern the API documents', () => {
  const pattern = new RegExp(WEBHOOK_URL_PATTERN);
  it('admits only URLs the API accepts (a client generator or fuzzer following the schema is never refused)', () => {
    fc.assert(fc.property(fc.stringMatching(pattern), (url) => {
      expect(urlProblem(url), url).toBeUndefined();
    }), { numRuns: 2000 });
  });
  it('admits the usual receivers and refuses what the API refuses', () => {
    for (const ok of ['http://127.0.0.1:43211/api', 'https://hooks.example.com/pesaway?x=1', 'http://localhost:65535/']) expect(pattern.test(ok), ok).toBe(true);
    for (const bad of ['', 'ftp://a.example/', 'http://user:pw@a.example/', 'http://a.1', 'http://1.1.1.1.1', 'http://a.example:65536/']) expect(pattern.test(bad), bad).toBe(false);
  });
});
