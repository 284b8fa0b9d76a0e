import { AppError } from '../common/errors.js';

/** A sandbox option, CLI flag, fault setting or admin request value is malformed. */
export class SandboxConfigError extends AppError {
  constructor(field: string, rule: string) {
    super('sandbox_config_invalid', `${field}: ${rule}`, { hint: 'See `pesaway-sandbox --help` for every setting and its allowed values.' });
  }
}
