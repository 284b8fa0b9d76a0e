/**
 * Benchmark (issue 12 item 7): one huge quoted field against the API. A CSV whose second line holds a
 * single quoted cell of 20, 40 or 60 MB is POSTed to /v1/batches (raw text/csv, no batch id: the upload is
 * spooled, the path that used to read it all); each must be refused with 422 `record_too_long`. Measured:
 * the time to the answer, the API's extra RSS (VmRSS sampled every 20 ms, minus the RSS before), and then
 * /healthz latency while three 60 MB uploads run at once (a probe every 50 ms, each on its own, so a slow
 * answer does not hide the ones after it), next to the same probing for 2 s with nothing else running (on
 * a shared machine the idle figure is the floor). Prints medians; the last line of output is a JSON
 * summary. Results: bench/RESULTS.md.
 *
 *   npm run bench:huge-field -- [--runs 3] [--sizes 20,40,60]
 */
import { readFileSync } from 'node:fs';
import { numberOption, option, progressLog } from './lib/args.js';
import { median, round } from './lib/batch-run.js';
import { buildDist, startBenchStack, type BenchStack } from './lib/stack.js';

const log = progressLog('bench');
const runs = numberOption('runs', 3);
const sizes = option('sizes', '20,40,60').split(',').map(Number);

const MB = 1024 * 1024;
const hugeCsv = (mb: number): Buffer => Buffer.from(`employee_id,name,phone,amount\nE1,"${'x'.repeat(mb * MB)}",0712345678,100\n`);

function rssMb(pid: number | undefined): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** Samples the API's RSS while `work` runs: the highest value above the one before. */
async function withRss<T>(stack: BenchStack, work: () => Promise<T>): Promise<{ result: T; extraRssMb: number }> {
  const pid = stack.api().child.pid;
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  try {
    const result = await work();
    peak = Math.max(peak, rssMb(pid));
    return { result, extraRssMb: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

/** One upload: its time to the answer; throws unless it is the expected refusal. */
async function upload(stack: BenchStack, body: Buffer): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${stack.apiUrl}/v1/batches`, { method: 'POST', headers: { authorization: `Bearer ${stack.keys.submitter}`, 'content-type': 'text/csv' }, body });
  const answer = (await res.json()) as { code?: string; report?: { errors?: Array<{ rule: string }> } };
  const seconds = (performance.now() - started) / 1000;
  if (res.status !== 422 || answer.report?.errors?.[0]?.rule !== 'record_too_long') throw new Error(`expected 422 record_too_long, got ${res.status} ${JSON.stringify(answer).slice(0, 300)}`);
  return seconds;
}

buildDist(log);
const stack = await startBenchStack({ sandboxFlags: [], log });
try {
  // Warm-up: the first request pays for lazy loading (the parser, the phone metadata).
  await upload(stack, hugeCsv(1));
  const bySize = [];
  for (const mb of sizes) {
    const body = hugeCsv(mb);
    const times: number[] = [];
    const rss: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const { result, extraRssMb } = await withRss(stack, () => upload(stack, body));
      times.push(result);
      rss.push(extraRssMb);
      log(`${mb} MB run ${run}: refused in ${round(result, 3)} s, API RSS +${round(extraRssMb, 1)} MB`);
    }
    bySize.push({ mb, seconds: round(median(times), 3), extraRssMb: round(median(rss), 1), runs: times.map((t) => round(t, 3)) });
  }

  /** /healthz latencies (ms) of probes started every 50 ms until `until` settles. */
  async function probeHealth(until: Promise<unknown>): Promise<number[]> {
    const latencies: number[] = [];
    const probes: Array<Promise<void>> = [];
    let done = false;
    void until.finally(() => (done = true));
    while (!done) {
      const started = performance.now();
      probes.push(fetch(`${stack.apiUrl}/healthz`).then(async (res) => void (await res.arrayBuffer(), latencies.push(performance.now() - started))));
      await Promise.race([until, new Promise((r) => setTimeout(r, 50))]).catch(() => undefined);
    }
    await Promise.all(probes);
    return latencies;
  }

  const concurrent = [];
  const body = hugeCsv(60);
  for (let run = 1; run <= runs; run++) {
    const idle = await probeHealth(new Promise((r) => setTimeout(r, 2000)));
    const uploads = withRss(stack, () => Promise.all([upload(stack, body), upload(stack, body), upload(stack, body)]));
    const latencies = await probeHealth(uploads);
    const { result, extraRssMb } = await uploads;
    const entry = {
      seconds: round(Math.max(...result), 3),
      extraRssMb: round(extraRssMb, 1),
      healthzMaxMs: round(Math.max(...latencies), 1),
      healthzMedianMs: round(median(latencies), 1),
      healthzProbes: latencies.length,
      idleHealthzMaxMs: round(Math.max(...idle), 1),
      idleHealthzMedianMs: round(median(idle), 1),
    };
    concurrent.push(entry);
    log(
      `3 x 60 MB at once, run ${run}: all refused within ${entry.seconds} s, API RSS +${entry.extraRssMb} MB, ` +
        `/healthz max ${entry.healthzMaxMs} ms, median ${entry.healthzMedianMs} ms (${entry.healthzProbes} probes; idle: max ${entry.idleHealthzMaxMs}, median ${entry.idleHealthzMedianMs} ms)`,
    );
  }
  const summary = {
    bySize,
    threeAtOnce: {
      seconds: median(concurrent.map((c) => c.seconds)),
      extraRssMb: median(concurrent.map((c) => c.extraRssMb)),
      healthzMaxMs: median(concurrent.map((c) => c.healthzMaxMs)),
      healthzMedianMs: median(concurrent.map((c) => c.healthzMedianMs)),
      idleHealthzMaxMs: median(concurrent.map((c) => c.idleHealthzMaxMs)),
      runs: concurrent,
    },
    apiPeakRssMb: stack.peaks().apiMb,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await stack.stop();
}
