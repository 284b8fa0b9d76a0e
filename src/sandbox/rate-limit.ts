/**
 * At most `limit` admitted requests in any sliding 1-second window. A ring of the last `limit` admission
 * times: a request is admitted when the oldest of them is at least a second old. Refused requests do not
 * count, so a client that backs off gets its full rate back within a second.
 */
export class SlidingWindowLimiter {
  private readonly times: number[] = [];
  private head = 0;

  constructor(readonly limit: number, private readonly windowMs = 1000) {}

  admit(nowMs: number): boolean {
    if (this.times.length < this.limit) {
      this.times.push(nowMs);
      return true;
    }
    const oldest = this.times[this.head]!;
    if (nowMs - oldest < this.windowMs) return false;
    this.times[this.head] = nowMs;
    this.head = (this.head + 1) % this.limit;
    return true;
  }
}
