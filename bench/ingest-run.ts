/**
 * One benchmark measurement in its own process, so its peak RSS is its own:
 *   tsx bench/ingest-run.ts validate <file.csv>
 *   tsx bench/ingest-run.ts store <file.csv> <database url> <batch id>
 * Prints one JSON line: rows, seconds, rowsPerSecond, maxRssMb.
 */
import { createReadStream } from 'node:fs';
import { createPool } from '../src/db/pool.js';
import { ingestPayroll } from '../src/ingest/ingest.js';
import { validatePayroll } from '../src/payroll/validate-file.js';

const [mode, file, url, batchId] = process.argv.slice(2);
if (!file || (mode !== 'validate' && mode !== 'store') || (mode === 'store' && (!url || !batchId))) {
  process.stderr.write('usage: ingest-run.ts validate <file> | store <file> <database url> <batch id>\n');
  process.exit(2);
}

const input = createReadStream(file, { highWaterMark: 1 << 16 });
// BENCH_SAMPLE_MEMORY=1: memory every second on stderr (rss/heapTotal/heapUsed/external MB), to see what grows.
const sampler = process.env['BENCH_SAMPLE_MEMORY']
  ? setInterval(() => {
      const m = process.memoryUsage();
      process.stderr.write(`${[m.rss, m.heapTotal, m.heapUsed, m.external].map((v) => Math.round(v / 2 ** 20)).join('/')} `);
    }, 1000)
  : undefined;
const started = performance.now();
let rows: number;
if (mode === 'validate') {
  const report = await validatePayroll(input, { policy: 'strict' });
  if (!report.accepted) throw new Error(`benchmark file refused: ${report.refusal?.message}`);
  rows = report.valid;
} else {
  const pool = createPool(url!, 2);
  try {
    const result = await ingestPayroll(pool, input, { batchId: batchId!, policy: 'strict' });
    if (result.kind !== 'created') throw new Error(`benchmark ingestion ended ${result.kind}`);
    rows = result.batch.validCount;
  } finally {
    await pool.end();
  }
}
const seconds = (performance.now() - started) / 1000;
if (sampler) clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({ mode, rows, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
