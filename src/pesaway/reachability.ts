/**
 * Whether PesaWay answers at all, as one process sees it: every exchange is either an answer (any PesaWay
 * code, even a refusal) or none (a refused connection, a timeout, a 5xx). PesaWay counts as unreachable
 * once nothing but "none" has come back for `unreachableAfterMs`, so one lost request or a stray 5xx among
 * answers never raises it. Pure: the caller passes the clock and acts on the changes.
 */
export type ReachabilityChange =
  | { kind: 'unreachable'; since: number; lastError: string }
  | { kind: 'reachable'; since: number; downMs: number };

export class PesaWayReachability {
  /** First unanswered exchange since the last answer (ms), if any. */
  private silentSince: number | undefined;
  private lastError = '';
  private declared = false;

  constructor(private readonly unreachableAfterMs: number) {}

  /** One exchange's result. Returns the change it makes, if any. */
  observe(answered: boolean, detail: string, now: number): ReachabilityChange | undefined {
    if (answered) {
      const since = this.silentSince;
      const wasDeclared = this.declared;
      this.silentSince = undefined;
      this.declared = false;
      return wasDeclared && since !== undefined ? { kind: 'reachable', since, downMs: now - since } : undefined;
    }
    this.silentSince ??= now;
    this.lastError = detail;
    return this.tick(now);
  }

  /** Called now and then: silence alone (every caller backing off) also makes PesaWay unreachable. */
  tick(now: number): ReachabilityChange | undefined {
    if (this.declared || this.silentSince === undefined || now - this.silentSince < this.unreachableAfterMs) return undefined;
    this.declared = true;
    return { kind: 'unreachable', since: this.silentSince, lastError: this.lastError };
  }

  /** While unreachable: since when, and the last error. */
  get outage(): { since: number; lastError: string } | undefined {
    return this.declared && this.silentSince !== undefined ? { since: this.silentSince, lastError: this.lastError } : undefined;
  }
}
