/**
 * What this API server can do beyond the console's base contract, read once from its OpenAPI document. The
 * console shows a control only when the server has it: a "pay at" field the server ignored would pay at once.
 */
import { api } from './api.js';

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
}

export const NO_FEATURES: Features = { payAt: false, payroll: false, sheet: false, reject: false, resolve: false, search: false };

let cached: Promise<Features> | undefined;

export function loadFeatures(): Promise<Features> {
  cached ??= api.openApi().then(
    (doc) => {
      const params = (path: string, method: string): string[] => (doc.paths[path]?.[method]?.parameters ?? []).map((p) => p.name);
      const submit = params('/v1/batches', 'post');
      return {
        payAt: submit.includes('payAt'),
        payroll: submit.includes('payroll'),
        sheet: submit.includes('sheet'),
        reject: doc.paths['/v1/batches/{id}/reject']?.['post'] !== undefined,
        resolve: doc.paths['/v1/payouts/{reference}/attention/resolve']?.['post'] !== undefined,
        search: params('/v1/batches/{id}/payouts', 'get').includes('q'),
      };
    },
    () => NO_FEATURES,
  );
  return cached;
}
