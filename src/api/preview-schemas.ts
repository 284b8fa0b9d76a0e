/** JSON schemas of the preview and the payroll comparison (src/api/preview.ts, comparison.ts), for routes and the OpenAPI document. */
import { COMPARISON_KINDS } from '../payroll/compare.js';
import { money } from './schemas.js';

const nullableMoney = { anyOf: [money, { type: 'null' }] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const comparisonSchema = {
  $id: 'PayrollComparison',
  type: 'object',
  description: 'this file against the previous batch of the same payroll (the newest earlier batch with its label, not cancelled); findings are warnings for a person, never errors',
  properties: {
    previousBatchId: { type: 'string' },
    previousCreatedAt: { type: 'string', format: 'date-time' },
    counts: { type: 'object', properties: Object.fromEntries(COMPARISON_KINDS.map((k) => [k, { type: 'integer' }])) },
    matched: { type: 'integer', description: 'rows of this file matched with a row of the previous batch (by employee id, else by destination)' },
    previous: { type: 'object', properties: { count: { type: 'integer' }, totalAmount: money } },
    current: { type: 'object', properties: { count: { type: 'integer' }, totalAmount: money } },
    findings: {
      type: 'array',
      description: 'this file\'s rows in order, then the missing payees in the previous batch\'s order; the first 1,000 (`findingsTruncated`)',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: [...COMPARISON_KINDS] },
          row: { ...nullableInt, description: "this file's row; null for payee_missing" },
          line: { ...nullableInt, description: "this file's line; null for payee_missing" },
          previousRow: { ...nullableInt, description: "the previous batch's row of this payee; null for new_payee" },
          previousLine: nullableInt,
          employeeId: { type: ['string', 'null'] },
          destination: { type: ['string', 'null'], description: 'masked, with the channel: `MPESA 2547*****678`, `BANK ******6789 (01)`' },
          previousDestination: { type: ['string', 'null'], description: 'destination_changed: where it went last time, masked' },
          amount: nullableMoney,
          previousAmount: nullableMoney,
          relativeChange: { type: ['number', 'null'], description: 'amount_changed: (this − previous) / previous, e.g. 3 for +300%' },
          message: { type: 'string', description: 'what changed and what to check, numbers masked' },
        },
      },
    },
    findingsTruncated: { type: 'boolean' },
  },
} as const;

const nullableComparison = { anyOf: [{ $ref: 'PayrollComparison#' }, { type: 'null' }] } as const;

export const previewSchema = {
  $id: 'Preview',
  type: 'object',
  description: 'what the payroll officer checks before paying: nothing was stored',
  properties: {
    rows: { type: 'integer' },
    valid: { type: 'integer' },
    invalid: { type: 'integer' },
    warnings: { type: 'integer' },
    totalAmount: { ...money, description: 'sum of the valid rows' },
    estimatedFees: { ...money, description: "PesaWay's fees on the valid rows, by its published tariff" },
    totalWithFees: { ...money, description: 'what the wallet must hold to pay every valid row' },
    wallet: {
      anyOf: [
        { type: 'object', properties: { balance: money, shortfall: { ...money, description: 'max(0, totalWithFees − balance)' } } },
        { type: 'null' },
      ],
      description: "the PesaWay wallet's available balance now, read by the worker; null when it could not be read (`walletUnavailable` says why)",
    },
    walletUnavailable: { type: 'string' },
    issuesTruncated: { type: 'boolean', description: "the report's errors and warnings are the first 1,000 findings only" },
    comparison: { ...nullableComparison, description: 'null without `payroll`, or when the payroll has no earlier batch' },
  },
} as const;

/** The `comparison` member of answers about a stored batch. */
export const comparisonMembers = {
  comparison: { ...nullableComparison, description: 'this batch against the previous batch of its payroll; null without a payroll label or an earlier batch' },
  comparisonUnavailable: { type: 'string', description: 'why `comparison` is null although it could exist (it can be read later from GET /v1/batches/{id}/comparison)' },
} as const;
