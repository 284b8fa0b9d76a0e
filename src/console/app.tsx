/**
 * The console's frame: who is signed in (the session cookie, checked with GET /v1/session), the navigation,
 * and the page for the current path. Signed out, every path shows the sign-in form and stays the same path,
 * so a shared link to a batch opens that batch after signing in.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, whenSignedOut } from './api.js';
import { AttentionPage } from './pages/attention.js';
import { BatchPage } from './pages/batch.js';
import { BatchesPage } from './pages/batches.js';
import { PayoutPage } from './pages/payout.js';
import { SignInPage } from './pages/sign-in.js';
import { SummaryPage } from './pages/summary.js';
import { UploadPage } from './pages/upload.js';
import { navigate, onLinkClick, parseRoute, paths, useLocation } from './router.js';
import type { Session } from './types.js';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const loc = useLocation();

  useEffect(() => {
    whenSignedOut(() => setSession(null));
    api.whoAmI().then(setSession, (err: unknown) => {
      setError(err instanceof Error ? err.message : String(err));
      setSession(null);
    });
  }, []);

  const route = parseRoute(loc.pathname);
  useEffect(() => {
    document.title = `${titleOf(route.page)} · PesaWay disbursements`;
  }, [route.page]);

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <SignInPage error={error} onSignedIn={setSession} />;

  const signOut = async () => {
    await api.signOut().catch(() => undefined);
    setSession(null);
    navigate(paths.batches(), true);
  };
  return (
    <div class="frame" onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={paths.batches()}>
          PesaWay disbursements
        </a>
        <nav aria-label="Main">
          <a href={paths.batches()} aria-current={route.page === 'batches' || route.page === 'batch' ? 'page' : undefined}>
            Batches
          </a>
          {session.role === 'submitter' && (
            <a href={paths.upload()} aria-current={route.page === 'upload' ? 'page' : undefined}>
              Upload
            </a>
          )}
          <a href={paths.attention()} aria-current={route.page === 'attention' ? 'page' : undefined}>
            Attention
          </a>
        </nav>
        <div class="who">
          <span data-testid="who">
            {session.user} <span class="role">({session.role})</span>
          </span>
          <button type="button" class="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} session={session} />
      </main>
    </div>
  );
}

function titleOf(page: string): string {
  return { batches: 'Batches', upload: 'Upload', attention: 'Attention', batch: 'Batch', summary: 'Summary', payout: 'Payout' }[page] ?? 'Not found';
}

function Page({ route, session }: { route: ReturnType<typeof parseRoute>; session: Session }) {
  switch (route.page) {
    case 'batches':
      return <BatchesPage session={session} />;
    case 'upload':
      return <UploadPage session={session} />;
    case 'attention':
      return <AttentionPage session={session} />;
    case 'batch':
      return <BatchPage key={route.id} id={route.id} session={session} />;
    case 'summary':
      return <SummaryPage id={route.id} />;
    case 'payout':
      return <PayoutPage key={route.reference} reference={route.reference} />;
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page here. Go to the <a href={paths.batches()}>batches</a>.
          </p>
        </section>
      );
  }
}
