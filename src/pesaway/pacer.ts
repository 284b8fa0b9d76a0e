/**
 * Spaces calls evenly, at most `perSecond` a second, with no burst. The PesaWay task queue's server-side
 * rate limit bounds the average for all workers together, but it dispatches in bursts; PesaWay counts any
 * sliding second, so a burst above R earns `429.001`. Each worker process paces its own calls on top.
 */
export class Pacer {
  private next = 0;
  private readonly gapMs: number;

  constructor(perSecond: number) {
    this.gapMs = 1000 / perSecond;
  }

  /** Resolves when this call may go: at once while calls are at least a gap apart, else at its turn. */
  async take(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.gapMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
