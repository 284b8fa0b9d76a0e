import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * The custom Keyword search attributes the engine writes; operators filter runs by them in the Web UI.
 * Registered on the namespace by the dev stack (src/dev/search-attributes.ts) and by compose
 * (deploy/temporal/setup-namespace.sh). Deterministic: workflows import these keys.
 */
export const BatchIdKey = defineSearchAttributeKey('BatchId', 'KEYWORD');
export const BatchStatusKey = defineSearchAttributeKey('BatchStatus', 'KEYWORD');

/** A payout is an activity, not a workflow: its status lives in PostgreSQL (`disburse attention`, `GET /v1/payouts`). */
export const SEARCH_ATTRIBUTES = [BatchIdKey.name, BatchStatusKey.name] as const;
