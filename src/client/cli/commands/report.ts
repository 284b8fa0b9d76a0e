import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { API_SERVICE, batchPath } from '../api-client.js';
import { apiClient, parseBatchId, withApiOptions, type ApiFlags } from '../api-options.js';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { plural } from '../format.js';
import { unreachable } from '../http.js';
import { GROUPS } from '../help.js';

interface ReportFlags extends ApiFlags {
  output?: string;
  errors?: boolean;
}

/** A report of a large batch takes longer to stream than an ordinary call. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('report')
    .helpGroup(GROUPS.batches)
    .description('Download a batch\'s row-by-row report (CSV): each payout, its status, receipt or reason.')
    .argument('<batch>', 'the batch id', parseBatchId)
    .option('-o, --output <file>', 'write the CSV to this file (default: standard output)')
    .option('--errors', 'the validation findings instead (skipped rows, warnings): errors.csv')
    .addHelpText('after', '\nExamples:\n  disburse report payroll-2026-11 -o payroll-2026-11-report.csv\n  disburse report payroll-2026-11 --errors | less');
  withApiOptions(command).action(async (batchId: string, flags: ReportFlags) => {
    cli.exitCode = await reportCommand(batchId, flags, cli);
  });
}

/** Counts newlines as they pass, so the end message can say how many rows were written. */
function lineCounter(): Transform & { lines: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) counter.lines++;
      done(null, chunk);
    },
  }) as Transform & { lines: number };
  counter.lines = 0;
  return counter;
}

/** A failure while the CSV streams: the disk (a file error has a syscall) or the API (the connection broke). */
function streamError(err: unknown, url: URL, output: string | undefined): Error {
  if (err instanceof Error && 'syscall' in err) {
    return new CliError(EXIT.failure, 'write_failed', `Cannot write ${output ?? 'standard output'}: ${err.message}`, 'Check the disk and the permissions, then run the command again.');
  }
  return unreachable(API_SERVICE, url, err, DOWNLOAD_TIMEOUT_MS);
}

const isBrokenPipe = (err: unknown): boolean => (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';

async function reportCommand(batchId: string, flags: ReportFlags, cli: CliContext): Promise<number> {
  const output = flags.output;
  if (output !== undefined) {
    const dir = await stat(dirname(output)).catch(() => undefined);
    if (!dir?.isDirectory()) throw new UsageError(`Cannot write ${output}: the folder ${dirname(output)} does not exist`);
  }
  const api = apiClient(flags, cli);
  const path = batchPath(batchId, flags.errors ? '/errors.csv' : '/report.csv');
  const web = await api.download(path, { timeoutMs: DOWNLOAD_TIMEOUT_MS });
  const body = Readable.fromWeb(web);
  if (output === undefined) {
    // A reader that stops early (`| head`) is not an error.
    await pipeline(body, cli.stdout, { end: false }).catch((err: unknown) => {
      if (!isBrokenPipe(err)) throw streamError(err, api.url(path), undefined);
    });
    return EXIT.ok;
  }
  // Written beside the target and renamed at the end: a broken download never looks like a report.
  const partial = `${output}.part`;
  const counter = lineCounter();
  try {
    await pipeline(body, counter, createWriteStream(partial));
    await rename(partial, output);
  } catch (err) {
    await rm(partial, { force: true });
    throw streamError(err, api.url(path), output);
  }
  const rows = Math.max(0, counter.lines - 1);
  cli.stdout.write(`Wrote ${plural(rows, flags.errors ? 'finding' : 'row')} of batch ${batchId} to ${output}.\n`);
  return EXIT.ok;
}
