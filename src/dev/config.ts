import { resolve } from 'node:path';
import { type Env, readInt, readOptionalString, readString } from '../common/env.js';

/** Where and how the embedded development stack runs. */
export interface StackConfig {
  dataDir: string;
  toolsDir: string;
  pgPort: number;
  /** Set: use this PostgreSQL, start none. */
  databaseUrl: string | undefined;
  temporalPort: number;
  temporalUiPort: number;
  /** Set: use this Temporal, start none. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
}

export function loadStackConfig(env: Env): StackConfig {
  return {
    dataDir: resolve(readString(env, 'DATA_DIR', '.data')),
    toolsDir: resolve(readString(env, 'TOOLS_DIR', '.tools')),
    pgPort: readInt(env, 'PG_PORT', 5433, { min: 1, max: 65535 }),
    databaseUrl: readOptionalString(env, 'DATABASE_URL'),
    temporalPort: readInt(env, 'TEMPORAL_PORT', 7233, { min: 1, max: 65535 }),
    temporalUiPort: readInt(env, 'TEMPORAL_UI_PORT', 8233, { min: 1, max: 65535 }),
    temporalAddress: readOptionalString(env, 'TEMPORAL_ADDRESS'),
    temporalNamespace: readString(env, 'TEMPORAL_NAMESPACE', 'default'),
  };
}
