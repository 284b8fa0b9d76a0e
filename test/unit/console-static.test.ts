/**
 * How the API serves the console: index.html for client routes (no-cache), hashed assets cached for a year,
 * the security headers on every console response, the API's own 404s untouched, and a clear 503 when the
 * console was never built.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleStatic } from '../../src/api/console-static.js';
import { installProblemHandler } from '../../src/api/problem.js';

async function appFor(dir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  installProblemHandler(app);
  app.get('/v1/batches', () => ({ items: [] }));
  await app.register(consoleStatic({ dir }));
  return app;
}

describe('console static files', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-static-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'assets/index-abc123.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'not served');
    app = await appFor(dir);
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['/', '/batches', '/batches/payroll-2026-11', '/batches/payroll-2026-11/summary', '/payouts/KV14SC90WYR1A1', '/upload', '/attention', '/sign-in'])(
    'answers index.html for the client route %s, not cached, with the security headers',
    async (url) => {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<title>console</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(CONSOLE_CSP).toContain("default-src 'self'");
      expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('serves hashed assets with a year of caching and their type', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body).toBe('console.log(1)');
  });

  it('never serves a file outside assets/, nor a missing asset', async () => {
    for (const url of ['/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/assets/..%2fsecret.txt', '/assets/missing.js', '/secret.txt']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('not served');
    }
  });

  it("leaves the API's paths alone: unknown ones are still problem+json 404s", async () => {
    expect((await app.inject({ url: '/v1/batches' })).json()).toEqual({ items: [] });
    const res = await app.inject({ url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('says what to run when the console was never built (503)', async () => {
    const empty = await appFor(join(dir, 'no-such-dir'));
    const res = await empty.inject({ url: '/batches/x' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:console');
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    await empty.close();
  });
});
