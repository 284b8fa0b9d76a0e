/** The PesaWay sandbox: start it in-process, or run `pesaway-sandbox` (see main.ts). */
export { startSandbox, type SandboxHandle } from './server.js';
export type { SandboxOptions, SandboxOptionsInput, Dialect, CallbackRetry } from './options.js';
export type { FaultConfig, FaultCounters, FaultController } from './faults.js';
export type { Ledger, LedgerEntry, LedgerReport, LedgerTotals, WalletBalance } from './ledger.js';
export type { SandboxStats } from './stats.js';
export type { OutageMode, OutagePeriod, OutageView } from './outage.js';
export type { Range } from './range.js';
export { TEST_ACCOUNTS, TEST_PHONES, RESULT_SUCCESS_DESC } from './test-destinations.js';
export { SandboxConfigError } from './errors.js';
