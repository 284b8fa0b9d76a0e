/**
 * Sign in with an API key, once: POST /v1/session sets an HttpOnly cookie, and the key itself is dropped
 * (never put in localStorage, sessionStorage or the URL; the field is cleared at once).
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ProblemBox } from '../components/problem-box.js';
import type { Session } from '../types.js';

export function SignInPage({ onSignedIn, error: initialError }: { onSignedIn: (s: Session) => void; error: string | null }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.signIn(key.trim());
      setKey('');
      onSignedIn(session);
    } catch (err) {
      setError(err instanceof Error && 'status' in err && err.status === 401 ? new Error('That API key is not valid here. Check it with your administrator (API_KEYS).') : err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>PesaWay disbursements</h1>
      <p>Sign in with the API key your administrator gave you. The browser keeps a session for a few hours; the key is not stored.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label class="field">
          API key
          <input type="password" name="apiKey" autoComplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <ProblemBox error={error} />
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
