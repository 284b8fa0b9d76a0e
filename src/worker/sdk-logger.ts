import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../common/log.js';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/**
 * The Temporal SDK's own logs (activity failures with their messages and stacks, workflow `log` calls)
 * through the project's logger, so they get the same masking and redaction as everything else instead of
 * going to the console raw.
 */
export function sdkLogger(log: Logger, level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, ({ level: at, message, meta }) => {
    const { error, ...rest }: Record<string, unknown> = meta ?? {};
    const fields: Record<string, unknown> = error instanceof Error ? { ...rest, err: error } : error === undefined ? rest : { ...rest, error };
    log[PINO_LEVEL[at]]({ sdk: true, ...fields }, message);
  });
}
