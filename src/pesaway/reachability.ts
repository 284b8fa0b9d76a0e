/**
 * Whether PesaWay answers at all, as one process sees it: every exchange is either an answer (any PesaWay
 * code, even a refusal) or none (a refused connection, a timeout, a 5xx). PesaWay counts as unreachable
 * once nothing but "none" has come back for `unreachableAfterMs`, from at least `MIN_UNANSWERED` calls: one
 * lost request or a stray 5xx among answers never raises it, nor does a lone failure followed by quiet
 * (every payout waiting for its callback or its poll backoff). Pure: the caller passes the clock.
 */
const MIN_UNANSWERED = 3;

export type ReachabilityChange =
  | { kind: 'unreachable'; since: number; lastError: string }
  | { kind: 'reachable'; since: number; downMs: number };

export class PesaWayReachability {
  /** First unanswered exchange since the last answer (ms), if any. */
  private silentSince: number | undefined;
  private lastError = '';
  private unanswered = 0;
  private lastUnansweredAt = 0;
  private declared = false;

  constructor(private readonly unreachableAfterMs: number) {}

  /** One exchange's result. Returns the change it makes, if any. */
  observe(answered: boolean, detail: string, now: number): ReachabilityChange | undefined {
    if (answered) {
      const since = this.silentSince;
      const wasDeclared = this.declared;
      this.silentSince = undefined;
      this.unanswered = 0;
      this.declared = false;
      return wasDeclared && since !== undefined ? { kind: 'reachable', since, downMs: now - since } : undefined;
    }
    // A failure long after the last one (quiet in between, nobody calling) starts a new count. "Long" is
    // generous: at a batch's start in an outage only its balance check calls, with a backoff of seconds.
    const quietMs = Math.max(2 * this.unreachableAfterMs, 30_000);
    if (!this.declared && this.silentSince !== undefined && now - this.lastUnansweredAt > quietMs) {
      this.silentSince = undefined;
      this.unanswered = 0;
    }
    this.silentSince ??= now;
    this.unanswered += 1;
    this.lastUnansweredAt = now;
    this.lastError = detail;
    return this.tick(now);
  }

  /** Called now and then: silence alone (every caller backing off) also makes PesaWay unreachable. */
  tick(now: number): ReachabilityChange | undefined {
    if (this.declared || this.silentSince === undefined || this.unanswered < MIN_UNANSWERED || now - this.silentSince < this.unreachableAfterMs) return undefined;
    this.declared = true;
    return { kind: 'unreachable', since: this.silentSince, lastError: this.lastError };
  }

  /** While unreachable: since when, and the last error. */
  get outage(): { since: number; lastError: string } | undefined {
    return this.declared && this.silentSince !== undefined ? { since: this.silentSince, lastError: this.lastError } : undefined;
  }
}
