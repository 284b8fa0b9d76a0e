import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { POLICIES, type Policy } from '../../../payroll/report.js';
import type { ApiClient } from '../api-client.js';
import { ApiError } from '../api-errors.js';
import { apiClient, intParser, parseBatchId, parsePayrollLabel, withApiOptions, type ApiFlags } from '../api-options.js';
import type { Batch, SubmitResult, ValidationReport } from '../api-types.js';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { ServiceUnreachableError } from '../http.js';
import { writeLines } from '../format.js';
import { dryRunLines, refusedLines, submittedLines, workbookLine } from '../submit-text.js';
import { XLS_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '../../../payroll/file-types.js';
import { DEFAULT_INTERVAL_MS, watchToEnd } from '../watch-batch.js';
import { GROUPS } from '../help.js';

interface SubmitFlags extends ApiFlags {
  batchId?: string;
  policy: Policy;
  approvalRequired?: boolean;
  acknowledgeWarnings?: boolean;
  allowDuplicateFile?: boolean;
  payroll?: string;
  dryRun?: boolean;
  payAt?: string;
  idempotencyKey?: string;
  watch?: boolean;
  interval: number;
  maxFindings: number;
  json?: boolean;
  sheet?: string;
}

/** Uploading and validating a large payroll takes longer than an ordinary call. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('submit')
    .helpGroup(GROUPS.payroll)
    .description('Upload a payroll CSV or Excel workbook (.xlsx) to the API: it is validated, stored and paid as a batch. Exit code 1 when the file is refused.')
    .argument('<file>', 'the payroll CSV or .xlsx workbook ("-" reads standard input)')
    .option('--sheet <name>', 'for a workbook: the sheet to read (default: the first)')
    .option('--batch-id <id>', 'name the batch (default: derived from --idempotency-key or the file\'s content)', parseBatchId)
    .addOption(new Option('--policy <policy>', 'strict: any invalid row refuses the file; skip-invalid: pay the valid rows').choices(POLICIES).default('strict'))
    .option('--approval-required', 'hold the batch until another user with the approver role approves it')
    .option('--acknowledge-warnings', 'accept the file despite warnings (e.g. the same phone and amount twice)')
    .option('--allow-duplicate-file', 'pay this file as a new batch although its content is already a batch (recorded on the batch)')
    .option('--payroll <label>', 'the payroll this file is a run of (e.g. acme-monthly): the batch keeps it, and the file is compared with the previous batch of this payroll', parsePayrollLabel)
    .option('--pay-at <time>', 'pay at this date and time, an RFC 3339 date-time with its offset (e.g. 2026-12-25T06:00:00+03:00), in the future and at most 90 days ahead; the batch is SCHEDULED until then (approve, reject or cancel it meanwhile)')
    .option('--dry-run', 'preview on the server only: counts, fees, the wallet\'s balance and shortfall, and with --payroll the comparison; nothing is stored or paid')
    .option('--idempotency-key <key>', 'a key of your own: submitting again with it returns the same batch')
    .option('--watch', 'then watch the batch to its end (exit code as for `disburse watch`)')
    .option('--interval <ms>', 'with --watch: how often to look, in milliseconds', intParser(200, 3_600_000), DEFAULT_INTERVAL_MS)
    .option('--max-findings <n>', 'how many errors and warnings to list', intParser(0, 10_000), 20)
    .option('--json', 'print exactly one JSON object: the API\'s answer (with --watch, its `batch` is the final state)')
    .addHelpText(
      'after',
      `
Submitting the same file again with the same options returns the existing batch. A file whose
content is already a batch is refused (exit 1, naming that batch), whatever --batch-id or
--idempotency-key, unless you say --allow-duplicate-file. With --pay-at the batch waits, SCHEDULED,
until that time (it survives restarts), then pays; with --approval-required too, an approver can
approve it before then (it then pays without stopping) or reject it.

Examples:
  disburse submit november.csv --batch-id payroll-2026-11 --watch
  disburse submit november.csv --dry-run --payroll acme-monthly   # fees, wallet, and what changed since last month
  disburse submit november.csv --payroll acme-monthly --batch-id acme-2026-11
  disburse submit november.xlsx --sheet Payroll --dry-run
  disburse submit november.csv --policy skip-invalid --approval-required
  disburse submit november.csv --approval-required --pay-at 2026-11-28T06:00:00+03:00
  export-payroll | disburse submit - --idempotency-key payroll-2026-11 --json`,
    );
  withApiOptions(command).action(async (file: string, flags: SubmitFlags) => {
    cli.exitCode = await submitCommand(file, flags, cli);
  });
}

async function* bytes(source: AsyncIterable<Buffer | string>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** The file as a stream (never read into memory), after checking it can be read. */
async function openPayroll(file: string, cli: CliContext): Promise<AsyncIterable<Uint8Array>> {
  if (file === '-') return bytes(cli.stdin);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`File not found: ${file}`, 'Check the path; use "-" to read the CSV from standard input.');
  if (!info.isFile()) throw new UsageError(`Not a file: ${file}`);
  await access(file, constants.R_OK).catch(() => {
    throw new UsageError(`Cannot read ${file}: permission denied`);
  });
  return createReadStream(file, { highWaterMark: 1 << 16 });
}

const contentType = (file: string): string => {
  const name = file.toLowerCase();
  if (name.endsWith('.xlsx')) return XLSX_CONTENT_TYPE;
  if (name.endsWith('.xls')) return XLS_CONTENT_TYPE;
  return 'text/csv';
};

async function submitCommand(file: string, flags: SubmitFlags, cli: CliContext): Promise<number> {
  if (flags.dryRun && flags.watch) throw new UsageError('--dry-run stores nothing, so there is nothing to --watch', 'Drop one of the two flags.');
  const api = apiClient(flags, cli);
  const body = await openPayroll(file, cli);
  const source = file === '-' ? 'standard input' : file;
  let result: SubmitResult;
  try {
    const answer = await api.post<SubmitResult>('/v1/batches', {
      query: {
        batchId: flags.batchId,
        policy: flags.policy,
        approvalRequired: flags.approvalRequired ? true : undefined,
        acknowledgeWarnings: flags.acknowledgeWarnings ? true : undefined,
        allowDuplicateFile: flags.allowDuplicateFile ? true : undefined,
        payroll: flags.payroll,
        dryRun: flags.dryRun ? true : undefined,
        payAt: flags.payAt,
        fileName: file === '-' ? undefined : basename(file),
        sheet: flags.sheet,
      },
      // The API tells a workbook by its bytes too; the type says what the file claims to be.
      headers: { 'content-type': contentType(file), ...(flags.idempotencyKey === undefined ? {} : { 'idempotency-key': flags.idempotencyKey }) },
      body,
      timeoutMs: UPLOAD_TIMEOUT_MS,
    });
    result = answer.body;
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) return refused(err, source, flags, cli);
    // The API refuses an oversized upload (413) as soon as it passes the limit and hangs up; Node's fetch,
    // still sending, only sees the connection cut.
    if (err instanceof ServiceUnreachableError && err.hungUp) {
      throw new CliError(
        EXIT.failure,
        'upload_interrupted',
        `The API cut the connection while ${source} was being sent (${err.reason}).`,
        'The file may be larger than the API accepts (MAX_UPLOAD_MB, 100 MB by default): split it into smaller files. Otherwise just retry: submitting the same file again never pays twice.',
      );
    }
    throw err;
  }

  if (result.workbook && !flags.json) writeLines(cli.stdout, [workbookLine(result.workbook)]);
  if (result.dryRun || result.batch === undefined) return dryRun(result, source, flags, cli);
  const submitted = result as SubmitResult & { batch: Batch };
  if (!flags.json) writeLines(cli.stdout, submittedLines(submitted, source, flags.maxFindings, flags.watch ?? false));
  if (flags.watch) return watch(api, submitted, flags, cli);
  if (flags.json) cli.stdout.write(`${JSON.stringify(result)}\n`);
  return EXIT.ok;
}

function watch(api: ApiClient, result: SubmitResult & { batch: Batch }, flags: SubmitFlags, cli: CliContext): Promise<number> {
  const { batch, ...rest } = result;
  return watchToEnd(api, batch.id, cli, { intervalMs: flags.interval, json: flags.json ?? false, jsonExtra: rest });
}

function dryRun(result: SubmitResult, source: string, flags: SubmitFlags, cli: CliContext): number {
  const report = result.report;
  if (!report) throw new CliError(EXIT.failure, 'unexpected_answer', 'The API answered the dry run without a report.', 'Is --api-url (DISBURSE_API_URL) the disbursement API, and is it up to date?');
  if (flags.json) cli.stdout.write(`${JSON.stringify(result)}\n`);
  else writeLines(cli.stdout, dryRunLines(report, source, flags.maxFindings, result.preview, flags.payroll, result.payAt));
  return report.accepted ? EXIT.ok : EXIT.rejected;
}

function refused(err: ApiError, source: string, flags: SubmitFlags, cli: CliContext): number {
  if (flags.json) cli.stdout.write(`${JSON.stringify(err.problem)}\n`);
  else writeLines(cli.stdout, refusedLines(err.problem['report'] as ValidationReport | undefined, err.detail, source, flags.maxFindings));
  return EXIT.rejected;
}
