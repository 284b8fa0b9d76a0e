import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, portInUse } from '../../src/dev/ports.js';

/** The README's main job, as a user runs it: `npm run demo -- --exit`, as a real process on free ports. */
describe('npm run demo -- --exit', () => {
  it('pays the example payroll end to end, tops up when the wallet runs dry, prints the summary, and exits 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'demo-test-'));
    const ports = { PG_PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), API_PORT: await freePort(), SANDBOX_PORT: await freePort() };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/demo-main.ts', '--exit'], {
      env: { ...process.env, DATA_DIR: dataDir, TEMPORAL_CLI_PATH: inject('temporalCliPath'), ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    // While the demo runs, its web console answers at the printed address (the built console, not the 503 page).
    let consolePage: Promise<{ status: number; html: string }> | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Web console: +(\S+)/.exec(out)?.[1];
      if (url && !consolePage) consolePage = fetch(url).then(async (r) => ({ status: r.status, html: await r.text() }));
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code, out).toBe(0);
    expect(out).toMatch(/Submitted payroll\.csv as batch (demo-[\d-]+): 200 rows, 196 valid, 4 invalid/);
    expect(out).toMatch(/The PesaWay wallet ran out \(455\.001\)\. Shortfall KES [\d,]+\.\d\d: topping up/);
    expect(out).toMatch(/Batch demo-[\d-]+: COMPLETED\n {2}paid 195, failed 1, rejected 0, unresolved 0, cancelled 0/);
    expect(out).toMatch(/in the web console: http:\/\/127\.0\.0\.1:\d+\/batches\/demo-[\d-]+\n/);
    expect(await consolePage).toMatchObject({ status: 200, html: expect.stringMatching(/<script type="module"[^>]+src="\/assets\/index-[\w-]+\.js"/) });
    expect(out).toMatch(/in the Temporal Web UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\?query=BatchId%3D%22demo-/);
    const reportPath = /report: (.+-report\.csv)/.exec(out)![1]!;
    const report = (await readFile(reportPath, 'utf8')).trim().split('\n');
    expect(report).toHaveLength(197);
    expect(report.filter((l) => l.includes(',succeeded,'))).toHaveLength(195);
    expect(report.filter((l) => l.includes(',failed,'))).toHaveLength(1);
    expect(out).not.toMatch(/(?<!\d)(?:254[17]\d{8}|0[17]\d{8})(?!\d)/); // no full phone number on screen
    // Everything it started is gone.
    for (const port of Object.values(ports)) expect(await portInUse(port), `port ${port}`).toBe(false);
  }, 600_000);
});
