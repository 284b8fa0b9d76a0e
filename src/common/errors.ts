/**
 * Base class for every error a user or operator can meet. `code` is stable and machine-readable;
 * `hint` says what to do about it. Messages never carry secrets or full phone numbers.
 */
export class AppError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  /** The message followed by the hint, for terminals and logs. */
  describe(): string {
    return this.hint ? `${this.message}\n  -> ${this.hint}` : this.message;
  }
}

/** A configuration value is missing or malformed. */
export class ConfigError extends AppError {
  constructor(variable: string, rule: string, hint?: string) {
    super('config_invalid', `${variable}: ${rule}`, { hint: hint ?? `Fix ${variable} in your environment or .env file (see .env.example).` });
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof AppError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}
