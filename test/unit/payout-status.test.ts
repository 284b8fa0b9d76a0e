import { describe, expect, it } from 'vitest';
import { PAYOUT_STATUSES, TERMINAL_PAYOUT_STATUSES, canTransition, isTerminal, predecessorsOf, reachableFrom } from '../../src/domain/payout-status.js';

describe('payout states only move forward', () => {
  it('has no way back: the only loop is parking on 455.001 and resending the same reference', () => {
    const loop = ['submitting', 'awaiting_funds'];
    for (const s of PAYOUT_STATUSES) {
      if (loop.includes(s)) expect(reachableFrom(s)).toEqual(expect.arrayContaining(loop));
      else expect(reachableFrom(s), s).not.toContain(s);
    }
    for (const s of ['accepted', 'unresolved', ...TERMINAL_PAYOUT_STATUSES] as const) {
      expect(reachableFrom(s), s).not.toContain('submitting');
    }
  });

  it('terminal states go nowhere', () => {
    for (const s of TERMINAL_PAYOUT_STATUSES) {
      expect(isTerminal(s)).toBe(true);
      expect(reachableFrom(s)).toEqual([]);
    }
  });

  it('allows the paths a payout really takes', () => {
    expect(canTransition('pending', 'submitting')).toBe(true);
    expect(canTransition('submitting', 'awaiting_funds')).toBe(true);
    expect(canTransition('awaiting_funds', 'submitting')).toBe(true);
    expect(canTransition('submitting', 'accepted')).toBe(true);
    expect(canTransition('accepted', 'succeeded')).toBe(true);
    expect(canTransition('accepted', 'unresolved')).toBe(true);
    expect(canTransition('unresolved', 'succeeded')).toBe(true);
    expect(canTransition('pending', 'cancelled')).toBe(true);
  });

  it('refuses the moves a late callback or stale poll would make', () => {
    expect(canTransition('succeeded', 'failed')).toBe(false);
    expect(canTransition('failed', 'succeeded')).toBe(false);
    expect(canTransition('accepted', 'submitting')).toBe(false);
    expect(canTransition('accepted', 'pending')).toBe(false);
    expect(canTransition('accepted', 'cancelled')).toBe(false); // accepted money cannot be "cancelled"
    expect(canTransition('submitting', 'cancelled')).toBe(false); // an ambiguous send must be resolved first
    expect(canTransition('unresolved', 'submitting')).toBe(false); // never resent after the deadline
  });

  it('lists predecessors consistently with transitions', () => {
    for (const to of PAYOUT_STATUSES) {
      for (const from of PAYOUT_STATUSES) expect(predecessorsOf(to).includes(from)).toBe(canTransition(from, to));
    }
  });
});
