/** One signed POST of one event to one endpoint: the only place a webhook leaves the engine. */
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from './signature.js';
import type { WebhookPayload } from './payload.js';

export type PostOutcome = { ok: true; status: number } | { ok: false; error: string };

/** The body is serialized once: the bytes signed are the bytes sent. Any 2xx is success; anything else is retried. */
export async function postWebhook(url: string, secret: string, payload: WebhookPayload, timeoutMs: number, signal?: AbortSignal): Promise<PostOutcome> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'pesaway-disburse-webhooks/1',
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        [EVENT_ID_HEADER]: payload.id,
      },
      body,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    });
    // Drain the answer so the connection can be reused; its content does not matter.
    await res.arrayBuffer().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : { ok: false, error: `answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, error: `unreachable (${reason})` };
  }
}
