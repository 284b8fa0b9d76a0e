/** `npm run stack`: the embedded stack alone, until Ctrl-C. */
import { errorMessage } from '../common/errors.js';
import { loadStackConfig } from './config.js';
import { startStack } from './stack.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
try {
  const stack = await startStack(loadStackConfig(process.env), log);
  log(`\nReady.\n  PostgreSQL:     ${stack.databaseUrl.replace(/:[^:@/]+@/, ':***@')}\n  Temporal:       ${stack.temporalAddress} (namespace ${stack.temporalNamespace})\n  Temporal Web UI: ${stack.temporalUiUrl ?? '(remote cluster)'}\nPress Ctrl-C to stop.`);
  const shutdown = (): void => {
    log('Stopping...');
    void stack.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (err) {
  log(errorMessage(err));
  process.exitCode = 1;
}
