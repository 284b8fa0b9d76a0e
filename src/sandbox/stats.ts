import type { PATHS } from '../pesaway/wire.js';
import type { FaultCounters } from './faults.js';

/** API endpoints by their `PATHS` key: the names used in stats. */
export type EndpointName = keyof typeof PATHS;

/** How each API response ended: a PesaWay code, `5xx` (injected server error) or `lost` (socket destroyed). */
export type Outcome = string;

export interface SandboxStats {
  requests: Record<string, Record<Outcome, number>>;
  faults: FaultCounters;
}

export class RequestStats {
  private readonly counts = new Map<EndpointName, Map<Outcome, number>>();

  record(endpoint: EndpointName, outcome: Outcome): void {
    let byOutcome = this.counts.get(endpoint);
    if (!byOutcome) {
      byOutcome = new Map();
      this.counts.set(endpoint, byOutcome);
    }
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  }

  snapshot(): SandboxStats['requests'] {
    const out: SandboxStats['requests'] = {};
    for (const [endpoint, byOutcome] of this.counts) out[endpoint] = Object.fromEntries(byOutcome);
    return out;
  }
}
