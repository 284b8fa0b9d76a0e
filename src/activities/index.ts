import { type DbActivityDeps, createDbActivities } from './db.js';
import { type PesaWayActivityDeps, createPesaWayActivities } from './pesaway.js';
import type { Activities } from './types.js';

export type ActivityDeps = DbActivityDeps & PesaWayActivityDeps;

/** Every activity, built from injected dependencies (tests pass real or fake ones). */
export function createActivities(deps: ActivityDeps): Activities {
  return { ...createDbActivities(deps), ...createPesaWayActivities(deps) };
}

export { createDbActivities, createPesaWayActivities };
