/**
 * The web console's static files (built by `npm run build:console` into dist/console), served by the API at `/`
 * on the same origin as /v1, so the session cookie (SameSite=Strict) and CSRF token just work. Client routes
 * (/batches/x, /payouts/y, …) answer index.html so a reload or a shared link opens the right page. Nothing of
 * this is in the OpenAPI document: it is not API.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';

/** Where `npm run build:console` writes (from src/api or dist/api alike, two folders up is the project root). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console', import.meta.url));

/** The console's own paths (see src/console/routes.ts); anything else stays the API's 404. */
export const CONSOLE_ROUTES = ['/', '/sign-in', '/upload', '/attention', '/batches', '/batches/*', '/payouts/*'] as const;

/**
 * Only our own origin, no inline script or style (Preact sets styles through the CSSOM, which CSP allows), no
 * framing (clickjacking an Approve button), no plugins, no base-URL tricks.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Shown instead of the console when it was never built: says exactly what to run. */
const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>
<body><h1>The web console is not built</h1><p>This API serves the console from <code>dist/console</code>, which does not exist here.
Run <code>npm run build:console</code> (a fresh <code>npm ci</code> does it too), then reload. The API itself works: see <a href="/openapi.json">/openapi.json</a>.</p></body></html>`;

function secure(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', CONSOLE_CSP).header('x-content-type-options', 'nosniff').header('x-frame-options', 'DENY').header('referrer-policy', 'no-referrer');
}

export interface ConsoleStaticOptions {
  /** The built console; default dist/console of this project. */
  dir?: string;
}

export function consoleStatic(options: ConsoleStaticOptions = {}): FastifyPluginCallback {
  const dir = normalize(options.dir ?? DEFAULT_CONSOLE_DIR);

  /** index.html read at each request (it is small): a rebuild while the API runs is served at the next load. */
  async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
    const html = await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
    secure(reply).header('cache-control', 'no-cache');
    if (html === undefined) return reply.code(503).type('text/html; charset=utf-8').header('retry-after', '60').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(html);
  }

  /** A file in `folder` of `dir`, or undefined (missing, a folder, or a path that tries to leave `folder`). */
  async function fileIn(folder: string, relative: string): Promise<string | undefined> {
    const root = join(dir, folder);
    const path = normalize(join(root, relative));
    if (!path.startsWith(root + sep)) return undefined;
    const s = await stat(path).catch(() => undefined);
    return s?.isFile() ? path : undefined;
  }

  return (app, _opts, done) => {
    const hidden = { schema: { hide: true } };
    for (const route of CONSOLE_ROUTES) app.get(route, hidden, (_request, reply) => sendIndex(reply));

    // Vite names every asset by its content hash: a file's name never changes meaning, so it may be cached for a year.
    app.get<{ Params: { '*': string } }>('/assets/*', hidden, async (request, reply) => {
      const path = await fileIn('assets', request.params['*']);
      if (!path) return reply.callNotFound();
      return secure(reply)
        .type(TYPES[extname(path)] ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(createReadStream(path));
    });
    // Unhashed files at the root (the icon): always revalidated.
    app.get('/favicon.svg', hidden, async (_request, reply) => {
      const path = await fileIn('.', 'favicon.svg');
      if (!path) return reply.callNotFound();
      return secure(reply).type(TYPES['.svg']!).header('cache-control', 'no-cache').send(createReadStream(path));
    });
    done();
  };
}
