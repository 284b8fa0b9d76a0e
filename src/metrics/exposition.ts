/**
 * `GET /metrics` in Prometheus' text format, for the API's router and the worker's own small server alike.
 * With METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>` (Prometheus' `authorization`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries the token (compared as digests, in constant time); any when no token is set. */
export function scrapeAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}

/** The worker's metrics endpoint; resolves once listening, to the server (close it on shutdown). */
export async function serveMetrics(registry: Registry, o: { host: string; port: number; token: string | undefined }): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics here.\n');
      return;
    }
    if (!scrapeAllowed(o.token, req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Send Authorization: Bearer <METRICS_TOKEN>.\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return server;
}
