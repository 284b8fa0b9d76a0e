import { AppError } from '../../common/errors.js';
import type { Env } from '../../common/env.js';

/** What a command may touch: its output streams, the environment, standard input. Tests pass their own. */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & AsyncIterable<Buffer | string>;
  env: Env;
  /** Set by a command to report its outcome (see EXIT). */
  exitCode: number;
}

/** Exit codes, the same for every command. */
export const EXIT = {
  ok: 0,
  /** The command ran and the answer is "no" (validate: the file is not acceptable under its policy). */
  rejected: 1,
  /** Bad flags, missing files, bad configuration: nothing was done. */
  usage: 2,
  /** Something broke (a bug, a failing disk or database); the message says what. */
  failure: 3,
} as const;

/** The user asked for something that cannot be done as asked. */
export class UsageError extends AppError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint === undefined ? {} : { hint });
  }
}
