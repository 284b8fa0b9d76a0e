import type { Logger } from '../common/log.js';
import type { MinorUnits } from '../domain/money.js';
import type { FaultController } from './faults.js';
import type { Ledger } from './ledger.js';
import type { SandboxOptions } from './options.js';
import type { Outage } from './outage.js';
import type { Settler } from './settlement.js';
import type { EndpointName, RequestStats } from './stats.js';
import type { TimerSet } from './timers.js';
import type { TokenStore } from './tokens.js';

/** Everything the route plugins share; built once by `startSandbox`. */
export interface SandboxContext {
  options: SandboxOptions;
  ledger: Ledger;
  faults: FaultController;
  tokens: TokenStore;
  stats: RequestStats;
  settler: Settler;
  outage: Outage;
  timers: TimerSet;
  logger: Logger;
  /** The largest single payout: PesaWay's KES 250,000, or the tariff's ceiling if lower. */
  maxAmountMinor: MinorUnits;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on API routes only: names the endpoint in stats and switches on auth, faults and rate limiting. */
    endpoint?: EndpointName;
  }
  interface FastifyRequest {
    /** How the response ended, for stats: a PesaWay code, `5xx` or `lost`. Empty until decided. */
    sandboxOutcome: string;
  }
}
