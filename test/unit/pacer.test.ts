import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../src/pesaway/pacer.js';

describe('Pacer: at most N calls a second, evenly spaced, no burst', () => {
  afterEach(() => void vi.useRealTimers());

  it('lets calls a gap apart through at once and queues a burst at one gap each', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new Pacer(50); // a gap of 20 ms
    const went: number[] = [];
    const burst = Array.from({ length: 5 }, () => pacer.take().then(() => went.push(Date.now())));
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(burst);
    expect(went).toEqual([0, 20, 40, 60, 80]);

    // After a quiet spell the next call goes at once: no credit is saved up for a later burst.
    await vi.advanceTimersByTimeAsync(1000);
    const at = Date.now();
    const quiet = [pacer.take(), pacer.take()].map((p) => p.then(() => Date.now()));
    await vi.advanceTimersByTimeAsync(100);
    expect(await Promise.all(quiet)).toEqual([at, at + 20]);
  });
});
