/**
 * What this API server can do beyond the console's base contract, read once from its OpenAPI document. The
 * console shows a control only when the server has it: a "pay at" field the server ignored would pay at once.
 */
import { api } from './api.js';
import { BATCH_STATUSES } from './types.js';

type Parameter = { name: string; in: string; schema?: { enum?: string[] } };

export interface Features {
  /** POST /v1/batches?payAt= (scheduled batches). */
  payAt: boolean;
  /** POST /v1/batches?payroll= (the payroll a batch belongs to, for the comparison). */
  payroll: boolean;
  /** POST /v1/batches?sheet= (.xlsx workbooks). */
  sheet: boolean;
  /** POST /v1/batches/{id}/reject. */
  reject: boolean;
  /** POST /v1/payouts/{reference}/attention/resolve. */
  resolve: boolean;
  /** GET /v1/batches/{id}/payouts?q= (search). */
  search: boolean;
  /** The statuses GET /v1/batches?status= accepts (SCHEDULED only where the server schedules). */
  batchStatuses: readonly string[];
}

const BASE_STATUSES = BATCH_STATUSES.filter((s) => s !== 'SCHEDULED');

export const NO_FEATURES: Features = { payAt: false, payroll: false, sheet: false, reject: false, resolve: false, search: false, batchStatuses: BASE_STATUSES };

let cached: Promise<Features> | undefined;

export function loadFeatures(): Promise<Features> {
  cached ??= api.openApi().then(
    (doc) => {
      const parameters = (path: string, method: string): Parameter[] => doc.paths[path]?.[method]?.parameters ?? [];
      const params = (path: string, method: string): string[] => parameters(path, method).map((p) => p.name);
      const statuses = parameters('/v1/batches', 'get').find((p) => p.name === 'status')?.schema?.enum;
      const submit = params('/v1/batches', 'post');
      return {
        payAt: submit.includes('payAt'),
        payroll: submit.includes('payroll'),
        sheet: submit.includes('sheet'),
        reject: doc.paths['/v1/batches/{id}/reject']?.['post'] !== undefined,
        resolve: doc.paths['/v1/payouts/{reference}/attention/resolve']?.['post'] !== undefined,
        search: params('/v1/batches/{id}/payouts', 'get').includes('q'),
        // In the console's order (the lifecycle's), whatever order the document lists them in.
        batchStatuses: statuses ? BATCH_STATUSES.filter((s) => statuses.includes(s)) : BASE_STATUSES,
      };
    },
    () => NO_FEATURES,
  );
  return cached;
}
