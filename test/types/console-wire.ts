/**
 * The console's wire types (src/console/types.ts) against what the API really sends: `npm run typecheck`
 * fails here when a view changes and the console's copy does not. (The console cannot import the views
 * themselves: it is built for the browser, and they reach pg and Node; the comparison's types it shares, from
 * src/api/comparison-view.ts.) Nothing here runs.
 */
import type { PreviewView } from '../../src/api/preview.js';
import type { batchView, payoutRecordView, payoutView, ProgressView, timelineView } from '../../src/api/views.js';
import type * as Console from '../../src/console/types.js';
import type { WorkbookFacts } from '../../src/payroll/payroll-file.js';
import type { ReportJson } from '../../src/payroll/report.js';

/** Compiles only when every value the API may send is one the console's type accepts, and back. */
type Same<Api, Browser> = [Api] extends [Browser]
  ? [Browser] extends [Api]
    ? true
    : 'the API sends a field the console type lacks (add it), or a narrower type'
  : 'the console expects a field the API does not send, or of another type';

export type WireChecks = [
  Same<ProgressView, Console.Progress>,
  Same<Omit<ReturnType<typeof batchView>, 'progress'>, Omit<Console.Batch, 'progress'>>,
  Same<ReturnType<typeof payoutView>, Console.Payout>,
  Same<ReturnType<typeof payoutRecordView>, Console.PayoutRecord>,
  Same<ReturnType<typeof timelineView>, Console.TimelineEntry>,
  Same<ReportJson, Omit<Console.ValidationReport, 'accepted' | 'refusal'>>,
  Same<WorkbookFacts, Console.Workbook>,
  Same<PreviewView, Console.Preview>,
];

export const wireChecks: WireChecks = [true, true, true, true, true, true, true, true];
