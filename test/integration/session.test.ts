/**
 * Console sessions against the real API and PostgreSQL (and Temporal, for a real approval): the cookie's
 * attributes, CSRF on cookie writes, roles and maker-checker through a session, sign-out, expiry, a key
 * removed from the configuration, the callback route, and what the sessions table keeps.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiKeys } from '../../src/api/auth.js';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { API_KEYS, CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

interface SignedIn {
  user: string;
  role: string;
  expiresAt: string;
  csrfToken: string;
}

describe('console sessions (real API, PostgreSQL, Temporal)', () => {
  let engine: Engine;
  let api: string;
  beforeAll(async () => {
    engine = await startEngine();
    api = await engine.startApi({ sessionTtlHours: 2 });
  });
  afterAll(async () => engine?.stop());

  /** Signs in; the cookie as a browser would send it back, the raw Set-Cookie, and the answer. */
  async function signIn(apiKey: string, base = api) {
    const r = await http<SignedIn>('POST', `${base}/v1/session`, { json: { apiKey } });
    expect(r.status, r.text).toBe(201);
    const setCookie = r.headers.get('set-cookie')!;
    const id = /^disburse_session=([A-Za-z0-9_-]+);/.exec(setCookie)![1]!;
    return { id, cookie: `disburse_session=${id}`, setCookie, body: r.body };
  }

  it('signs in with a key: an HttpOnly, SameSite=Strict cookie that reads the API', async () => {
    const s = await signIn(API_KEYS.victor);
    expect(s.body).toMatchObject({ user: 'victor', role: 'viewer', csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(Date.parse(s.body.expiresAt) - Date.now()).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(Date.parse(s.body.expiresAt) - Date.now()).toBeLessThanOrEqual(2 * 3600_000 + 1000);
    expect(Buffer.from(s.id, 'base64url')).toHaveLength(32);
    const attributes = s.setCookie.split(';').map((a) => a.trim());
    expect(attributes.slice(1)).toEqual(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=7200']); // plain HTTP: no Secure
    const list = await http('GET', `${api}/v1/batches`, { headers: { cookie: s.cookie } });
    expect(list.status).toBe(200);
    const who = await http('GET', `${api}/v1/session`, { headers: { cookie: `other=1; ${s.cookie}` } });
    expect(who).toMatchObject({ status: 200, body: { user: 'victor', role: 'viewer', via: 'session', csrfToken: s.body.csrfToken, expiresAt: s.body.expiresAt } });
    expect((await http('GET', `${api}/v1/session`, { key: API_KEYS.bob })).body).toMatchObject({ user: 'bob', via: 'bearer', csrfToken: null });
    // A viewer's session may read but not write, CSRF token or not.
    const write = await http('POST', `${api}/v1/batches/nope/pause`, { headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrfToken } });
    expect(write).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('marks the cookie Secure with SESSION_COOKIE_SECURE (TLS ended at a proxy)', async () => {
    const behindTls = await engine.startApi({ sessionCookieSecure: true });
    expect((await signIn(API_KEYS.victor, behindTls)).setCookie).toMatch(/; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800; Secure$/);
  });

  it('refuses bad keys, unknown properties and unknown cookies', async () => {
    expect((await http('POST', `${api}/v1/session`, { json: { apiKey: 'not-a-key-at-all-0000' } })).status).toBe(401);
    expect((await http('POST', `${api}/v1/session`, { json: { apiKey: API_KEYS.bob, remember: true } })).status).toBe(400);
    const forged = `disburse_session=${Buffer.alloc(32, 7).toString('base64url')}`;
    expect((await http('GET', `${api}/v1/session`, { headers: { cookie: forged } })).status).toBe(401);
    expect((await http('GET', `${api}/v1/batches`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it('cookie writes need the CSRF token; with it, maker-checker holds as with keys', async () => {
    const alice = await signIn(API_KEYS.alice);
    const csv = payrollCsv(payrollRows(2, { phone: (i) => `2547${95_000_000 + i}` }));
    const submit = (headers: Record<string, string>) => http('POST', `${api}/v1/batches?batchId=session-approval&approvalRequired=true`, { body: csv, headers: { 'content-type': 'text/csv', cookie: alice.cookie, ...headers } });
    expect(await submit({})).toMatchObject({ status: 403, body: { code: 'csrf_token_missing', detail: expect.stringContaining('X-CSRF-Token') } });
    expect(await submit({ 'x-csrf-token': 'x'.repeat(43) })).toMatchObject({ status: 403, body: { code: 'csrf_token_invalid' } });
    const bob = await signIn(API_KEYS.bob);
    // Another session's token is not this one's.
    expect(await submit({ 'x-csrf-token': bob.body.csrfToken })).toMatchObject({ status: 403, body: { code: 'csrf_token_invalid' } });
    expect(await engine.db.pool.query(`SELECT 1 FROM batches WHERE id = 'session-approval'`)).toMatchObject({ rowCount: 0 });
    expect(await submit({ 'x-csrf-token': alice.body.csrfToken })).toMatchObject({ status: 201, body: { batch: { submittedBy: 'alice' } } });
    await eventually(async () => ((await http<{ status: string }>('GET', `${api}/v1/batches/session-approval`, { headers: { cookie: bob.cookie } })).body.status === 'AWAITING_APPROVAL' || undefined), 'awaiting approval', 60_000, 200);

    const approve = (s: { cookie: string; body: SignedIn }) => http('POST', `${api}/v1/batches/session-approval/approve`, { headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrfToken } });
    expect(await approve(alice)).toMatchObject({ status: 403, body: { code: 'forbidden' } }); // the submitter role may not approve
    expect(await approve(await signIn(API_KEYS.aliceApprover))).toMatchObject({ status: 403, body: { code: 'self_approval' } });
    expect((await http('POST', `${api}/v1/batches/session-approval/approve`, { headers: { cookie: bob.cookie } })).body).toMatchObject({ code: 'csrf_token_missing' });
    expect(await approve(bob)).toMatchObject({ status: 202, body: { action: 'approve', by: 'bob' } });
    await eventually(async () => ((await http<{ status: string }>('GET', `${api}/v1/batches/session-approval`, { key: API_KEYS.victor })).body.status !== 'AWAITING_APPROVAL' || undefined), 'approved', 60_000, 200);
    // A bearer request needs no CSRF token, and the key wins over a cookie sent with it (bob, not alice).
    const late = await http('POST', `${api}/v1/batches/session-approval/approve`, { key: API_KEYS.bob, headers: { cookie: alice.cookie } });
    expect(late).toMatchObject({ status: 409 });
  }, 120_000);

  it('signing out ends the session server-side and clears the cookie', async () => {
    const s = await signIn(API_KEYS.bob);
    expect((await http('DELETE', `${api}/v1/session`, { headers: { cookie: s.cookie } })).body).toMatchObject({ status: 403, code: 'csrf_token_missing' });
    const out = await http('DELETE', `${api}/v1/session`, { headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('disburse_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    expect((await http('GET', `${api}/v1/batches`, { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await engine.db.pool.query('SELECT 1 FROM sessions WHERE id_hash = $1', [createHash('sha256').update(s.id).digest()])).rowCount).toBe(0);
    // Idempotent: signing out without a session is a 204 too.
    expect((await http('DELETE', `${api}/v1/session`)).status).toBe(204);
    expect((await http('DELETE', `${api}/v1/session`, { headers: { cookie: s.cookie } })).status).toBe(204);
  });

  it('an expired session is refused and deleted', async () => {
    const s = await signIn(API_KEYS.victor);
    const idHash = createHash('sha256').update(s.id).digest();
    await engine.db.pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1`, [idHash]);
    expect((await http('GET', `${api}/v1/batches`, { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await engine.db.pool.query('SELECT 1 FROM sessions WHERE id_hash = $1', [idHash])).rowCount).toBe(0);
  });

  it('a key removed from API_KEYS, or given another role, ends its sessions at their next use', async () => {
    const victor = await signIn(API_KEYS.victor);
    const bob = await signIn(API_KEYS.bob);
    const alice = await signIn(API_KEYS.alice);
    // The same database, another configuration: victor's key is gone, bob is now a viewer, alice is unchanged.
    const other = await engine.startApi({ apiKeys: parseApiKeys(`bob:viewer:${API_KEYS.bob},alice:submitter:${API_KEYS.alice}`) });
    expect((await http('GET', `${other}/v1/batches`, { headers: { cookie: victor.cookie } })).status).toBe(401);
    expect((await http('GET', `${other}/v1/batches`, { headers: { cookie: bob.cookie } })).status).toBe(401);
    expect((await http('GET', `${other}/v1/session`, { headers: { cookie: alice.cookie } })).body).toMatchObject({ user: 'alice', role: 'submitter' });
    // Ended for good: not back when the old configuration sees them again.
    expect((await http('GET', `${api}/v1/batches`, { headers: { cookie: victor.cookie } })).status).toBe(401);
    expect((await http('GET', `${api}/v1/batches`, { headers: { cookie: bob.cookie } })).status).toBe(401);
    const rotated = await engine.startApi({ apiKeys: parseApiKeys(`alice:submitter:alice-rotated-key-0123456789`) });
    expect((await http('GET', `${rotated}/v1/batches`, { headers: { cookie: alice.cookie } })).status).toBe(401);
  });

  it('the cookie never authenticates the callback route', async () => {
    const s = await signIn(API_KEYS.bob);
    const body = JSON.stringify({ ResultCode: 0, ResultDesc: 'ok', OriginatorReference: 'SESSIONXR1A1', TransactionID: 'PHY9' });
    const forged = await http('POST', `${api}/callbacks/pesaway/SESSIONXR1A1/not-the-token`, { body, headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.body.csrfToken } });
    expect(forged.status).toBe(401);
    // And a genuine callback needs no CSRF token even when a cookie rides along.
    const valid = await http('POST', `${api}/callbacks/pesaway/SESSIONXR1A1/${resultsToken(CALLBACK_SECRET, 'SESSIONXR1A1')}`, { body, headers: { 'content-type': 'application/json', cookie: s.cookie } });
    expect(valid.status).toBe(200);
  });

  it('keeps only hashes: no session id or CSRF token in the database in clear', async () => {
    const s = await signIn(API_KEYS.aliceApprover);
    const rows = await engine.db.pool.query<Record<string, unknown>>('SELECT * FROM sessions');
    expect(rows.rowCount).toBeGreaterThan(0);
    const dump = rows.rows.flatMap((r) => Object.values(r).map((v) => (Buffer.isBuffer(v) ? `${v.toString('hex')} ${v.toString('base64url')}` : String(v)))).join('\n');
    for (const secret of [s.id, Buffer.from(s.id, 'base64url').toString('hex'), s.body.csrfToken, API_KEYS.aliceApprover]) expect(dump).not.toContain(secret);
    const mine = await engine.db.pool.query('SELECT user_name, role FROM sessions WHERE id_hash = $1', [createHash('sha256').update(s.id).digest()]);
    expect(mine.rows).toEqual([{ user_name: 'alice', role: 'approver' }]);
    const indexes = await engine.db.pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'sessions'`);
    expect(indexes.rows.map((r) => r.indexdef).join('\n')).toMatch(/\(expires_at\)/);
  });

  it('documents the routes and the cookie scheme', async () => {
    type Op = { security?: unknown[]; responses: Record<string, unknown> };
    const doc = await http<{ paths: Record<string, Record<string, Op>>; components: { securitySchemes: Record<string, unknown> }; security: unknown[] }>('GET', `${api}/openapi.json`);
    expect(doc.body.components.securitySchemes['session']).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'disburse_session' });
    expect(doc.body.security).toEqual([{ apiKey: [] }, { session: [] }]);
    const paths = doc.body.paths['/v1/session']!;
    expect(paths['post']!.security).toEqual([]);
    expect(Object.keys(paths['post']!.responses)).toEqual(expect.arrayContaining(['201', '400', '401']));
    expect(Object.keys(paths['get']!.responses)).toEqual(expect.arrayContaining(['200', '401']));
    expect(Object.keys(paths['delete']!.responses)).toEqual(expect.arrayContaining(['204', '403']));
    // Every write a cookie can make documents the 403 a missing or wrong CSRF token gets. (The codec server
    // needs no CSRF token: it changes nothing, and the Web UI calling it cannot send one.)
    for (const [path, ops] of Object.entries(doc.body.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['post', 'put', 'patch', 'delete'].includes(method) || path.startsWith('/callbacks/') || path.startsWith('/codec/') || (path === '/v1/session' && method === 'post')) continue;
        expect(Object.keys(op.responses), `${method} ${path}`).toContain('403');
      }
    }
  });
});
