/**
 * Every action that changes a batch or a payout asks first, in a native <dialog> (focus trapped, Escape
 * closes it) that states what is at stake. `needsText` asks for a reason or note the API requires.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  /** A required text (a rejection reason, a resolution note): its label. */
  needsText?: string;
  run: (text: string) => Promise<void>;
}

export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) {
      setText('');
      setError(null);
      d.showModal();
    }
    if (!request && d.open) d.close();
  }, [request]);

  if (!request) return <dialog ref={ref} />;
  const confirm = async (event: Event) => {
    event.preventDefault();
    if (request.needsText && !text.trim()) {
      setError(`${request.needsText} is required.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await request.run(text.trim());
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-message" onClose={onClose}>
      <form method="dialog" onSubmit={(e) => void confirm(e)}>
        <h2 id="confirm-title">{request.title}</h2>
        <p id="confirm-message">{request.message}</p>
        {request.needsText && (
          <label class="field">
            {request.needsText}
            <textarea required rows={3} maxLength={500} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="button" onClick={onClose} disabled={busy}>
            Go back
          </button>
          <button type="submit" class={request.danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : request.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
