/** Small helpers for calling the API over real HTTP in tests. */
export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function http<T = Record<string, unknown>>(
  method: string,
  url: string,
  options: { key?: string; body?: RequestInit['body']; json?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers['authorization'] = `Bearer ${options.key}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV and other text bodies stay text.
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const csvUpload = (csv: string, key: string) => ({ key, body: csv, headers: { 'content-type': 'text/csv' } });
