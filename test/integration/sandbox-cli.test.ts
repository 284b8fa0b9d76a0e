import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/ports.js';
import { PATHS } from '../../src/pesaway/wire.js';
import { call, getToken, mobileBody } from '../support/sandbox-http.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = 'bin/pesaway-sandbox.js';
const run = promisify(execFile);

describe('pesaway-sandbox CLI', () => {
  it('documents every flag with its default in --help and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help'], { cwd: root });
    for (const flag of [
      '--port', '--host', '--balance', '--consumer-key', '--consumer-secret', '--token-ttl', '--settle-delay-ms', '--callback-delay-ms',
      '--seed', '--signing-key', '--latency-ms', '--server-error-rate', '--lost-response-rate', '--rate-limit', '--callback-drop-rate',
      '--callback-duplicate-rate', '--callback-reorder-rate', '--token-shape', '--errors', '--balance-envelope', '--callback-style',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toMatch(/--settle-delay-ms <min-max>\s+time from acceptance to settlement \(default:\s+200-2000\)/);
    expect(stdout).toContain('254700000404');
  });

  it('exits 2 with a clear message on a bad flag value', async () => {
    const err = await run(process.execPath, [bin, '--server-error-rate', '1.5'], { cwd: root }).catch((e: unknown) => e as { code: number; stderr: string });
    expect(err).toMatchObject({ code: 2, stderr: expect.stringMatching(/--server-error-rate.*expected a probability from 0 to 1, got "1.5"/) as unknown });
    const unknown = await run(process.execPath, [bin, '--no-such-flag'], { cwd: root }).catch((e: unknown) => e as { code: number });
    expect(unknown).toMatchObject({ code: 2 });
  });

  it('serves on the given port, prints the ready line, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, '--port', String(port), '--balance', '2500.00', '--settle-delay-ms', '10-20', '--log-level', 'warn'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line; stdout: ${stdout}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const url = `http://127.0.0.1:${port}`;
      expect(stdout).toBe(`PesaWay sandbox listening on ${url}\n`);

      const token = await getToken(url);
      expect((await call(url, 'GET', PATHS.balance, { token })).body).toMatchObject({ current: '2500.00' });
      expect((await call(url, 'POST', PATHS.mobileSend, { body: mobileBody('CLI-1', 'http://127.0.0.1:1/x', { Amount: 2500 }), token })).body.code).toBe('455.001');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
