/** Payouts settled per second and time left, from the batch page's successive polls (no server clock needed). */
import type { Counts } from '../types.js';

export interface Sample {
  /** Browser clock, ms. */
  at: number;
  settled: number;
}

/** Settled from the batch's point of view: a final answer, or unresolved with its evidence. */
export function settledOf(c: Counts): number {
  return c.succeeded + c.failed + c.rejected + c.cancelled + c.unresolved;
}

/**
 * The rate over the recent samples (the last 20 polls, about 20 s): steady enough to read, quick to follow a
 * batch that stops for funds (then the rate falls to 0 and no time left is shown).
 */
export function rateOf(samples: readonly Sample[]): number {
  if (samples.length < 2) return 0;
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const seconds = (last.at - first.at) / 1000;
  if (seconds <= 0) return 0;
  return Math.max(0, (last.settled - first.settled) / seconds);
}
