/**
 * The preview of a payroll file before anything is stored (`POST /v1/batches?dryRun=true`): what the payroll
 * officer checks before paying — counts, the total with PesaWay's estimated fees, whether the wallet covers
 * it, and (with a payroll label) what changed since the previous run. Nothing here writes anything.
 */
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import { lookUpWalletBalance, type WalletLookup } from '../client/wallet.js';
import type { Batch } from '../db/batches.js';
import type { Pool } from '../db/pool.js';
import { formatMinor } from '../domain/money.js';
import { DraftCollector } from '../payroll/draft-collector.js';
import type { PayrollInput } from '../payroll/input.js';
import type { ValidationReport } from '../payroll/report.js';
import { type ValidateOptions, validatePayroll } from '../payroll/validate-file.js';
import type { TaskQueues } from '../workflows/types.js';
import { type ComparisonView, compareBatchWithPrevious, compareWithPayroll } from './comparison.js';

export interface PreviewView {
  rows: number;
  valid: number;
  invalid: number;
  warnings: number;
  /** The valid rows' sum, PesaWay's estimated fees on them, and both together: what the wallet must hold. */
  totalAmount: string;
  estimatedFees: string;
  totalWithFees: string;
  /** `shortfall`: how much the wallet lacks to pay every valid row with its fee ("0.00" when it covers them). */
  wallet: { balance: string; shortfall: string } | null;
  /** Why `wallet` is null, and what to do. */
  walletUnavailable?: string;
  /** The report lists the first findings only (errors and warnings); the counts are complete. */
  issuesTruncated: boolean;
  /** Null without a payroll label, or when the payroll has no earlier batch (cancelled ones do not count). */
  comparison: ComparisonView | null;
}

/** The preview from its parts. Shortfall = max(0, total with fees − balance). */
export function previewView(report: ValidationReport, wallet: WalletLookup, comparison: ComparisonView | null): PreviewView {
  const needed = report.totalMinor + report.feeEstimateMinor;
  return {
    rows: report.rows,
    valid: report.valid,
    invalid: report.invalid,
    warnings: report.warningCount,
    totalAmount: formatMinor(report.totalMinor),
    estimatedFees: formatMinor(report.feeEstimateMinor),
    totalWithFees: formatMinor(needed),
    ...(wallet.kind === 'balance'
      ? { wallet: { balance: formatMinor(wallet.availableMinor), shortfall: formatMinor(Math.max(0, needed - wallet.availableMinor)) } }
      : { wallet: null, walletUnavailable: wallet.reason }),
    issuesTruncated: report.issuesTruncated,
    comparison,
  };
}

export interface PreviewDeps {
  pool: Pool;
  temporal: Client;
  taskQueues: TaskQueues;
}

/**
 * Validates the file (storing nothing) and previews it. The wallet is asked while the file is read, so a
 * large file costs no extra wait; the comparison needs the file's valid rows, kept in memory for it only
 * when there is a payroll to compare with.
 */
export async function previewPayroll(
  deps: PreviewDeps,
  input: PayrollInput,
  options: ValidateOptions,
  payroll: string | undefined,
): Promise<{ report: ValidationReport; preview: PreviewView }> {
  const wallet = lookUpWalletBalance(deps.temporal, deps.taskQueues); // never rejects
  const collector = payroll === undefined ? undefined : new DraftCollector();
  const report = await validatePayroll(input, options, collector);
  const comparison = payroll === undefined ? null : await compareWithPayroll(deps.pool, payroll, collector!.drafts());
  return { report, preview: previewView(report, await wallet, comparison) };
}

/**
 * The comparison a submission answers with. The batch is stored and started by then, so a failure to
 * compute it must not turn that success into an error: it is logged and the answer says so.
 */
export async function submittedComparison(pool: Pool, batch: Batch, log: Pick<FastifyBaseLogger, 'warn'>): Promise<{ comparison: ComparisonView | null; comparisonUnavailable?: string }> {
  try {
    return { comparison: await compareBatchWithPrevious(pool, batch) };
  } catch (err) {
    log.warn({ err, batchId: batch.id }, 'comparison with the previous run failed');
    return { comparison: null, comparisonUnavailable: `The comparison with the previous run could not be computed; GET /v1/batches/${batch.id}/comparison shows it once the database answers.` };
  }
}
