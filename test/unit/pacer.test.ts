import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../src/pesaway/pacer.js';

/** The most calls that went within any one second. */
function busiestSecond(times: readonly number[]): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
}

describe('Pacer: N calls a second on average, never a burst PesaWay would refuse', () => {
  afterEach(() => void vi.useRealTimers());

  it('lets about 30 ms worth go at once, then one a gap apart', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new Pacer(100); // a gap of 10 ms, a burst of 3
    const went: number[] = [];
    const calls = Array.from({ length: 6 }, () => pacer.take().then(() => went.push(Date.now())));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(calls);
    expect(went).toEqual([0, 0, 0, 10, 20, 30]);
  });

  it('stays within N + burst in any second, and loses no more than a stall, when the event loop stalls', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new Pacer(50); // a gap of 20 ms, a burst of 1
    const went: number[] = [];
    const calls = Array.from({ length: 200 }, () => pacer.take().then(() => went.push(Date.now())));
    await vi.advanceTimersByTimeAsync(1000);
    // The event loop is blocked for 150 ms: no timer runs, the clock moves on.
    vi.setSystemTime(Date.now() + 150);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(calls);
    expect(went).toHaveLength(200);
    expect(busiestSecond(went)).toBeLessThanOrEqual(51);
    // 200 calls at 50 a second take 4 s; the stall costs at most its own length.
    expect(went.at(-1)!).toBeLessThanOrEqual(4000 + 150);
  });
});
