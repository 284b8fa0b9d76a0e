import { AppError } from '../../common/errors.js';
import type { ExitCode } from './context.js';

/** An error that knows which exit code ends the command (see EXIT); the CLI prints `describe()`. */
export class CliError extends AppError {
  constructor(
    readonly exitCode: ExitCode,
    code: string,
    message: string,
    hint?: string,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
  }
}
