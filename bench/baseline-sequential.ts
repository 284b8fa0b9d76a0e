import { PesaWayClient } from '../src/pesaway/client.js';
import type { SendRequest } from '../src/pesaway/requests.js';

/**
 * What many integrators write: for each payout, send it, then poll the transaction query until it
 * settles, then the next one. Measured on the same sandbox as the engine.
 */
export async function runSequentialBaseline(sandboxUrl: string, payouts: number, pollMs = 250): Promise<{ payouts: number; seconds: number; perPayoutSeconds: number }> {
  const client = new PesaWayClient({ baseUrl: sandboxUrl, consumerKey: 'sandbox-key', consumerSecret: 'sandbox-secret', region: undefined, merchantCode: undefined, currency: 'KES', timeoutMs: 15_000 });
  const started = Date.now();
  for (let i = 0; i < payouts; i++) {
    const request: SendRequest = {
      channel: 'MPESA',
      reference: `BASELINE${started}N${i}`,
      amountMinor: 1000_00,
      phone: `2547${String(90_000_000 + i).padStart(8, '0')}`,
      reason: 'Salary',
      resultsUrl: 'http://127.0.0.1:9/unused',
    };
    let sent = await client.send(request);
    while (sent.kind === 'rate-limited' || sent.kind === 'ambiguous') {
      await new Promise((r) => setTimeout(r, 1000));
      sent = await client.send(request);
    }
    for (;;) {
      const q = await client.query({ reference: request.reference, channel: 'MPESA' });
      if (q.kind === 'settled') break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  const seconds = (Date.now() - started) / 1000;
  return { payouts, seconds, perPayoutSeconds: seconds / payouts };
}
