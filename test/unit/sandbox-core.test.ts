import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feeFor } from '../../src/domain/fees.js';
import { FaultController, DEFAULT_FAULTS } from '../../src/sandbox/faults.js';
import { Ledger } from '../../src/sandbox/ledger.js';
import { SlidingWindowLimiter } from '../../src/sandbox/rate-limit.js';
import { Rng, streamFor } from '../../src/sandbox/rng.js';
import { completedDateTime } from '../../src/sandbox/result-body.js';
import { plannedOutcome } from '../../src/sandbox/test-destinations.js';
import { validateMobileSend, validatePull } from '../../src/sandbox/validation.js';

describe('sandbox ledger', () => {
  it('keeps its books whatever the order of accepts, duplicates, settlements and top-ups', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), ref: fc.integer({ min: 0, max: 30 }), amount: fc.integer({ min: 1, max: 250_000_00 }) }),
      fc.record({ kind: fc.constant('settle' as const), ref: fc.integer({ min: 0, max: 30 }), ok: fc.boolean() }),
      fc.record({ kind: fc.constant('topUp' as const), amount: fc.integer({ min: 1, max: 1_000_000_00 }) }),
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 2_000_000_00 }), fc.array(op, { maxLength: 200 }), (opening, ops) => {
      const ledger = new Ledger(opening, [{ upToMinor: 250_000_00, feeMinor: 39_00 }], new Rng(1), () => 0);
      let paidIn = opening;
      for (const o of ops) {
        if (o.kind === 'send') {
          const before = ledger.balance();
          const result = ledger.accept({ reference: `R${o.ref}`, kind: 'mobile-money', channel: 'MPESA', amountMinor: o.amount, destination: 'x' });
          if (result.kind === 'insufficient') expect(ledger.balance()).toEqual(before);
          if (result.kind === 'duplicate') expect(ledger.balance()).toEqual(before);
        } else if (o.kind === 'settle') {
          ledger.settle(`R${o.ref}`, { resultCode: o.ok ? 0 : 2, resultDesc: '' });
        } else {
          ledger.topUp(o.amount);
          paidIn += o.amount;
        }
        const b = ledger.balance();
        const entries = ledger.entries();
        const pendingHeld = entries.filter((e) => e.status === 'pending').reduce((s, e) => s + e.amountMinor + e.feeMinor, 0);
        const spent = entries.filter((e) => e.status === 'succeeded').reduce((s, e) => s + e.amountMinor + e.feeMinor, 0);
        expect(b.reservedMinor).toBe(pendingHeld);
        expect(b.currentMinor).toBe(paidIn - spent);
        expect(b.availableMinor).toBeGreaterThanOrEqual(0);
        expect(ledger.maxAcceptCount()).toBeLessThanOrEqual(1);
        expect(new Set(entries.map((e) => e.reference)).size).toBe(entries.length);
      }
    }));
  });

  it('charges the tariff and settles only once', () => {
    const ledger = new Ledger(10_000_00, [{ upToMinor: 1_500_00, feeMinor: 12_00 }, { upToMinor: 250_000_00, feeMinor: 39_00 }], new Rng(3));
    const accepted = ledger.accept({ reference: 'A', kind: 'bank', channel: 'Bank', amountMinor: 1_500_00, destination: '****9012' });
    expect(accepted).toMatchObject({ kind: 'accepted', entry: { feeMinor: 12_00, transactionId: expect.stringMatching(/^PHY[A-Z0-9]{10}$/) as unknown } });
    expect(ledger.settle('A', { resultCode: 0, resultDesc: 'ok' })).toMatchObject({ status: 'succeeded' });
    expect(ledger.settle('A', { resultCode: 2, resultDesc: 'late' })).toBeUndefined();
    expect(ledger.balance()).toEqual({ currentMinor: 10_000_00 - 1_512_00, availableMinor: 10_000_00 - 1_512_00, reservedMinor: 0, unclearedMinor: 0 });
    expect(feeFor(1_500_01)).toBe(19_00);
  });
});

describe('sandbox randomness and faults', () => {
  it('is reproducible per seed and independent per stream', () => {
    const draw = (rng: Rng) => Array.from({ length: 5 }, () => rng.next());
    expect(draw(new Rng(42))).toEqual(draw(new Rng(42)));
    expect(draw(new Rng(42))).not.toEqual(draw(new Rng(43)));
    expect(draw(streamFor(1, 'a'))).not.toEqual(draw(streamFor(1, 'b')));
    const rng = new Rng(9);
    for (let i = 0; i < 1000; i += 1) {
      const n = rng.between(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
  });

  it('keeps server-error decisions unchanged when another fault is switched on', () => {
    const decisions = (extra: Partial<typeof DEFAULT_FAULTS>) => {
      const faults = new FaultController({ ...DEFAULT_FAULTS, serverErrorRate: 0.3, ...extra }, 5);
      return Array.from({ length: 50 }, () => {
        faults.latencyMs();
        return faults.serverError() ?? 0;
      });
    };
    expect(decisions({})).toEqual(decisions({ latencyMs: { min: 0, max: 100 } }));
  });

  it('admits at most N requests in any sliding second', () => {
    const limiter = new SlidingWindowLimiter(3);
    expect([0, 100, 200, 300, 999].map((t) => limiter.admit(t))).toEqual([true, true, true, false, false]);
    expect(limiter.admit(1000)).toBe(true); // the request at 0 left the window
    expect(limiter.admit(1050)).toBe(false);
    expect(limiter.admit(1100)).toBe(true);
  });
});

describe('sandbox wire details', () => {
  it('formats completion times like PesaWay callbacks', () => {
    expect(completedDateTime('2026-11-28T09:14:03.120Z')).toBe('2026-11-28 09:14:03.120000+00:00');
  });

  it('maps test destinations to outcomes', () => {
    expect(plannedOutcome({ phone: '254700000404' })).toMatchObject({ kind: 'failure', resultCode: 2040 });
    expect(plannedOutcome({ phone: '254700000999' })).toEqual({ kind: 'never' });
    expect(plannedOutcome({ accountNumber: '000000000404' })).toMatchObject({ kind: 'failure', resultCode: 2041 });
    expect(plannedOutcome({ phone: '254712345678' })).toEqual({ kind: 'success' });
    expect(plannedOutcome({ phone: 'constructor' })).toEqual({ kind: 'success' });
  });

  it('accepts every valid amount exactly and masks phones in every refusal', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 250_000_00 }), (minor) => {
      const body = { ExternalReference: 'R', Amount: minor / 100, PhoneNumber: '254712345678', Channel: 'MPESA', Reason: '', ResultsUrl: 'https://x.test/cb' };
      expect(validateMobileSend(body, 250_000_00)).toMatchObject({ ok: true, value: { amountMinor: minor } });
    }));
    fc.assert(fc.property(fc.stringMatching(/^\d{9,15}$/), (phone) => {
      const result = validateMobileSend({ ExternalReference: 'R', Amount: 1, PhoneNumber: phone, Channel: 'MPESA', Reason: '', ResultsUrl: 'https://x.test/cb' }, 250_000_00);
      if (!result.ok) expect(result.message).not.toContain(phone);
    }));
  });

  it('reads pull-transaction dates as UTC with second granularity', () => {
    expect(validatePull({ StartDate: '2026-01-02 03:04:05', EndDate: '2026-01-02', TransType: 'Payment', OffsetValue: '5' })).toEqual({
      ok: true,
      value: { startMs: Date.UTC(2026, 0, 2, 3, 4, 5), endMs: Date.UTC(2026, 0, 2, 23, 59, 59) + 999, transType: 'Payment', offset: 5 },
    });
  });
});
