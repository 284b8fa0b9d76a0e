/**
 * One HTTP exchange with PesaWay, reduced to what the classifier needs. Transport failures are values,
 * not exceptions: a timeout or reset on a send must become an *ambiguous* outcome, never a crash.
 */
export type Exchange =
  | { kind: 'response'; status: number; body: unknown; text: string }
  | { kind: 'timeout'; detail: string }
  | { kind: 'connection'; detail: string };

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

function causeCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export async function exchange(req: HttpRequest): Promise<Exchange> {
  let response: Response;
  let text: string;
  try {
    const init: RequestInit = { method: req.method, headers: req.headers, signal: AbortSignal.timeout(req.timeoutMs) };
    if (req.body !== undefined) init.body = JSON.stringify(req.body);
    response = await fetch(req.url, init);
    text = await response.text();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout', detail: `no answer within ${req.timeoutMs} ms` };
    return { kind: 'connection', detail: causeCode(err) };
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { kind: 'response', status: response.status, body, text };
}
