import type { FastifyInstance } from 'fastify';

/** A route path as a regular expression over a request path: `/v1/batches/:id` matches `/v1/batches/b-1`. */
function pathPattern(url: string): RegExp {
  const segments = url.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

/**
 * Records every route's path and method as it is added, to tell "no such path" (404) from "this path, not
 * this method" (405, which must list the methods in `Allow`, RFC 9110). Install before the routes.
 */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', (route) => {
    let entry = routes.get(route.url);
    if (!entry) routes.set(route.url, (entry = { pattern: pathPattern(route.url), methods: new Set() }));
    for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
  });
  return (path) => {
    const methods = new Set<string>();
    for (const { pattern, methods: m } of routes.values()) if (pattern.test(path)) for (const x of m) methods.add(x);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
