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
  /**
   * The command ran and the answer is "no": the file is not acceptable under its policy, the action is not
   * possible in the batch's state, or a watched batch ended with payouts that were not paid.
   */
  rejected: 1,
  /** Bad flags, missing files, missing API key, unknown batch, bad configuration: nothing was done. */
  usage: 2,
  /** Something broke (the API or sandbox unreachable, a server error, a failing disk); the message says what. */
  failure: 3,
  /** The API refused the caller: an unknown key (401) or a role that may not do this (403). */
  denied: 4,
  /** Ctrl-C while watching: the CLI stopped, the batch carries on. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The user asked for something that cannot be done as asked. */
export class UsageError extends AppError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint === undefined ? {} : { hint });
  }
}
