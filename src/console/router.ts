/**
 * A tiny history router: the console's pages are real paths (/batches/x), so a reload or a shared link opens
 * the same page (the API answers index.html for them, see src/api/console-static.ts).
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'batches' }
  | { page: 'upload' }
  | { page: 'attention' }
  | { page: 'batch'; id: string }
  | { page: 'summary'; id: string }
  | { page: 'payout'; reference: string }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1).map((p) => decodeURIComponent(p));
  const [first, second, third] = parts;
  if (!first || (first === 'batches' && second === undefined) || first === 'sign-in') return { page: 'batches' };
  if (first === 'upload' && second === undefined) return { page: 'upload' };
  if (first === 'attention' && second === undefined) return { page: 'attention' };
  if (first === 'batches' && second && third === undefined) return { page: 'batch', id: second };
  if (first === 'batches' && second && third === 'summary') return { page: 'summary', id: second };
  if (first === 'payouts' && second && third === undefined) return { page: 'payout', reference: second };
  return { page: 'not-found' };
}

export const paths = {
  batches: () => '/batches',
  upload: () => '/upload',
  attention: () => '/attention',
  batch: (id: string) => `/batches/${encodeURIComponent(id)}`,
  summary: (id: string) => `/batches/${encodeURIComponent(id)}/summary`,
  payout: (reference: string) => `/payouts/${encodeURIComponent(reference)}`,
};

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

/** Same-origin link clicks become history navigations (ctrl/cmd-click still opens a new tab). */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = (event.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
  if (a.pathname.startsWith('/v1/')) return;
  event.preventDefault();
  navigate(a.pathname + a.search);
}

export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [loc, setLoc] = useState(() => ({ pathname: location.pathname, search: new URLSearchParams(location.search) }));
  useEffect(() => {
    const update = () => setLoc({ pathname: location.pathname, search: new URLSearchParams(location.search) });
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return loc;
}
