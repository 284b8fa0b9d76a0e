/**
 * Spaces this process's PesaWay calls: `perSecond` on average, with a small burst (about 30 ms worth, at
 * least one call) to catch up after late timers. The PesaWay task queue's server-side rate limit bounds the average
 * for all workers together, but it dispatches in bursts; PesaWay counts any sliding second before it
 * answers `429.001`, so bursts must not reach it. In any second at most `perSecond` + the burst go out.
 *
 * Measured (bench/RESULTS.md, R = 50 and 100, worker at 0.9 R): no pacing, 54 × 429.001 at 50; a strict
 * gap, 0 at 50 but late timers lowered the rate at 100 (1.48× the bound); a sliding window of R calls
 * per second, full rate but tight bursts (19 × 429.001 at 50); a burst of a tenth of a second, 1 at 50.
 */
export class Pacer {
  private readonly perMs: number;
  private readonly burst: number;
  private tokens: number;
  private refilledAt = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(perSecond: number) {
    this.perMs = perSecond / 1000;
    this.burst = Math.max(1, Math.floor(perSecond / 30));
    this.tokens = this.burst;
  }

  /** Resolves when this call may go; calls go in the order they asked. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        await new Promise((resolve) => setTimeout(resolve, Math.ceil((1 - this.tokens) / this.perMs)));
        this.refill();
      }
      this.tokens -= 1;
    });
    this.queue = turn;
    return turn;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.perMs);
    this.refilledAt = now;
  }
}
