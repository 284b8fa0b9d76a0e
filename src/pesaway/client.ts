import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { Logger } from '../common/log.js';
import { maskPhone, maskPhonesInText } from '../common/mask.js';
import { minorToNumber, parseProviderAmount } from '../domain/money.js';
import { type Classified, classify } from './classify.js';
import type { PesaWayConfig } from './config.js';
import { exchange } from './http.js';
import type { Balance, BalanceOutcome, CommonFailure, PulledPayment, PullOutcome, QueryOutcome, SendOutcome } from './outcomes.js';
import type { PullRequest, QueryRequest, SendRequest } from './requests.js';
import { parseResultBody } from './result.js';
import { Pacer } from './pacer.js';
import { TokenProvider, type TokenResult, parseTokenBody } from './token.js';
import { type BankSendBody, CHANNEL_WIRE, type MobileSendBody, PATHS, type PullTransactionsBody } from './wire.js';

type Failure = Exclude<Classified, { kind: 'ok' }>;

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(o: Record<string, unknown> | undefined, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o?.[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** Maps the answers every endpoint shares; endpoint-specific codes are handled by the caller first. */
function common(f: Failure): CommonFailure {
  if (f.kind === 'ambiguous') return f;
  switch (f.code) {
    case '400.001':
      return { kind: 'invalid', code: f.code, message: f.message };
    case '429.001':
      return { kind: 'rate-limited', code: f.code, message: f.message };
    case '401.001':
      return { kind: 'unauthorized', code: f.code, message: f.message };
    default:
      return { kind: 'ambiguous', reason: 'unexpected-code', httpStatus: undefined, detail: `${f.code} was not expected here: ${f.message}` };
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the pull-transactions date format. */
export function pesawayDateTime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The PesaWay side of the engine's metrics. */
export type PesaWayMetrics = Pick<EngineMetrics, 'pesawayRequests' | 'pesawayRequestSeconds'>;

/** Told of every exchange whether PesaWay answered at all (see reachability.ts). */
export interface ReachabilityObserver {
  observe(answered: boolean, detail: string): void;
}

/** No answer from PesaWay itself: the connection failed, nothing came back in time, or a 5xx (a gateway, an outage). */
function unanswered(c: Classified): c is Extract<Classified, { kind: 'ambiguous' }> {
  return c.kind === 'ambiguous' && (c.reason === 'timeout' || c.reason === 'connection' || c.reason === 'server-error');
}

/**
 * The typed PesaWay client. Every call returns a discriminated outcome; nothing is thrown for anything
 * PesaWay or the network can do. Secrets and full phone numbers never reach logs or outcomes.
 */
export class PesaWayClient {
  readonly tokens: TokenProvider;

  private readonly pacer: Pacer | undefined;

  /** `pacePerSecond`: space this process's calls at most that many a second (see pacer.ts). */
  /** `metrics`: where each call's endpoint, outcome and latency are counted (src/metrics). */
  constructor(
    private readonly config: PesaWayConfig,
    private readonly log?: Logger,
    options: { pacePerSecond?: number | undefined; metrics?: PesaWayMetrics | undefined; reachability?: ReachabilityObserver | undefined } = {},
  ) {
    this.tokens = new TokenProvider(() => this.requestToken());
    this.pacer = options.pacePerSecond ? new Pacer(options.pacePerSecond) : undefined;
    this.metrics = options.metrics;
    this.reachability = options.reachability;
  }

  private readonly metrics: PesaWayMetrics | undefined;
  private readonly reachability: ReachabilityObserver | undefined;

  /** One HTTP exchange, classified, and counted under `endpoint`. */
  private async exchangeClassified(endpoint: string, request: Parameters<typeof exchange>[0]): Promise<Classified> {
    const started = performance.now();
    const c = classify(await exchange(request));
    const outcome = c.kind === 'ok' ? '200.001' : c.kind === 'code' ? c.code : c.reason;
    this.metrics?.pesawayRequests.inc({ endpoint, outcome });
    this.metrics?.pesawayRequestSeconds.observe({ endpoint }, (performance.now() - started) / 1000);
    this.reachability?.observe(!unanswered(c), unanswered(c) ? `${endpoint}: ${c.reason} (${c.detail})` : '');
    this.log?.debug({ call: endpoint, outcome, ms: Math.round(performance.now() - started) }, 'PesaWay call');
    return c;
  }

  private headers(token?: string): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (token) h['Authorization'] = `Bearer ${token}`;
    if (this.config.region) h['X-Region'] = this.config.region;
    return h;
  }

  private async requestToken(): Promise<TokenResult> {
    await this.pacer?.take();
    const c = await this.exchangeClassified('token', {
      method: 'POST',
      url: `${this.config.baseUrl}${PATHS.token}`,
      headers: this.headers(),
      body: { consumer_key: this.config.consumerKey, consumer_secret: this.config.consumerSecret, grant_type: 'client_credentials' },
      timeoutMs: this.config.timeoutMs,
    });
    if (c.kind !== 'ok') {
      this.log?.warn({ outcome: c.kind, code: c.kind === 'code' ? c.code : c.reason }, 'PesaWay token request failed');
      return { kind: 'failure', failure: c };
    }
    const token = parseTokenBody(c.body, Date.now());
    if (!token) return { kind: 'failure', failure: { kind: 'ambiguous', reason: 'unparseable', httpStatus: undefined, detail: 'token response without a token' } };
    return { kind: 'token', token };
  }

  /** An authenticated call: on `401.001` the refused token is dropped, a new one fetched, and the call retried once. */
  private async call(method: 'GET' | 'POST', path: string, body: unknown, what: string): Promise<Classified> {
    let refreshed = false;
    for (;;) {
      const token = await this.tokens.get();
      if (token.kind === 'failure') {
        const f = token.failure;
        if (f.kind === 'code' && f.code !== '401.001') return { kind: 'ambiguous', reason: 'unexpected-code', httpStatus: undefined, detail: `token request answered ${f.code}` };
        return f;
      }
      await this.pacer?.take();
      const c = await this.exchangeClassified(what, { method, url: `${this.config.baseUrl}${path}`, headers: this.headers(token.token.value), body, timeoutMs: this.config.timeoutMs });
      if (c.kind === 'code' && c.code === '401.001' && !refreshed) {
        refreshed = true;
        this.tokens.invalidate(token.token.value);
        continue;
      }
      return c;
    }
  }

  async send(req: SendRequest): Promise<SendOutcome> {
    const common_ = { ExternalReference: req.reference, Amount: minorToNumber(req.amountMinor), Reason: req.reason, ResultsUrl: req.resultsUrl };
    let path: string;
    let body: MobileSendBody | BankSendBody;
    if (req.channel === 'BANK') {
      path = PATHS.bankSend;
      body = { ...common_, AccountNumber: req.accountNumber, Channel: CHANNEL_WIRE.BANK, Currency: this.config.currency };
      if (req.bankCode) body.BankCode = req.bankCode;
      if (req.bankName) body.BankName = req.bankName;
    } else {
      path = PATHS.mobileSend;
      body = { ...common_, PhoneNumber: req.phone, Channel: CHANNEL_WIRE[req.channel] };
      if (this.config.currency !== 'KES') body.Currency = this.config.currency;
    }
    if (this.config.merchantCode) body.MerchantCode = this.config.merchantCode;
    const c = await this.call('POST', path, body, 'send');
    const destination = req.channel === 'BANK' ? `account ${maskPhone(req.accountNumber)}` : maskPhone(req.phone);
    if (c.kind === 'ok') {
      const top = obj(c.body);
      const o = obj(top?.['data']) ?? top;
      const echoed = str(o, ['OriginatorReference', 'ExternalReference']);
      if (echoed !== undefined && echoed !== req.reference) {
        this.log?.error({ reference: req.reference, echoed }, 'PesaWay echoed a different reference');
        return { kind: 'ambiguous', reason: 'unexpected-code', httpStatus: undefined, detail: `accepted, but for reference ${echoed}` };
      }
      const transactionId = str(o, ['TransactionID', 'TransactionReference', 'transaction_id', 'transaction_reference']);
      this.log?.debug({ reference: req.reference, transactionId, destination, amountMinor: req.amountMinor }, 'PesaWay accepted payout');
      return { kind: 'accepted', transactionId, reference: req.reference };
    }
    if (c.kind === 'code') {
      if (c.code === '403.002') return { kind: 'reference-used', code: c.code, message: c.message };
      if (c.code === '455.001') return { kind: 'insufficient-balance', code: c.code, message: c.message };
      if (c.code === '404.000') return { kind: 'not-found', code: c.code, message: c.message };
    }
    return common(c);
  }

  async query(req: QueryRequest): Promise<QueryOutcome> {
    const path = req.channel === 'BANK' ? PATHS.bankQuery : PATHS.mobileQuery;
    const c = await this.call('POST', path, { TransactionReference: req.transactionId ?? req.reference }, 'query');
    if (c.kind === 'ok') {
      const parsed = parseResultBody(c.body);
      if (parsed.kind === 'final') return { kind: 'settled', result: parsed.result };
      if (parsed.kind === 'pending') return { kind: 'pending', transactionId: parsed.transactionId };
      return { kind: 'ambiguous', reason: 'unparseable', httpStatus: undefined, detail: `query answer: ${parsed.problem}` };
    }
    if (c.kind === 'code' && c.code === '404.000') return { kind: 'not-found', code: c.code, message: c.message };
    return common(c);
  }

  /**
   * A payout's transaction: by PesaWay's id when known, then by our reference before saying "not found"
   * (some deployments only know PesaWay's id, others our reference).
   */
  async queryPayout(req: QueryRequest): Promise<QueryOutcome> {
    const answer = await this.query(req);
    if (answer.kind !== 'not-found' || !req.transactionId) return answer;
    return this.query({ ...req, transactionId: undefined });
  }

  async balance(): Promise<BalanceOutcome> {
    const c = await this.call('GET', PATHS.balance, undefined, 'balance');
    if (c.kind === 'ok') {
      const top = obj(c.body);
      const o = obj(top?.['data']) ?? top;
      const read = (k: string): number | undefined => parseProviderAmount(o?.[k]);
      const [currentMinor, availableMinor] = [read('current'), read('available')];
      if (currentMinor === undefined || availableMinor === undefined) {
        return { kind: 'ambiguous', reason: 'unparseable', httpStatus: undefined, detail: 'balance answer without current/available' };
      }
      const balance: Balance = { currentMinor, availableMinor, unclearedMinor: read('uncleared') ?? 0, reservedMinor: read('reserved') ?? 0 };
      return { kind: 'balance', balance };
    }
    if (c.kind === 'code' && c.code === '404.000') return { kind: 'not-found', code: c.code, message: c.message };
    return common(c);
  }

  /** One page (at most 100 rows) of pull-transactions from row `offset`. */
  async pullTransactions(req: PullRequest): Promise<PullOutcome> {
    const body: PullTransactionsBody = {
      StartDate: pesawayDateTime(req.start),
      EndDate: pesawayDateTime(req.end),
      TransType: req.type ?? 'Payment',
      OffsetValue: req.offset,
    };
    const c = await this.call('POST', PATHS.pullTransactions, body, 'pull-transactions');
    if (c.kind === 'ok') {
      const top = obj(c.body);
      const rows: unknown = Array.isArray(c.body) ? c.body : top?.['data'];
      if (!Array.isArray(rows)) return { kind: 'ambiguous', reason: 'unparseable', httpStatus: undefined, detail: 'pull-transactions answer is not a list' };
      const payments: PulledPayment[] = rows.map((r) => {
        const o = obj(r);
        return {
          pesawayReference: str(o, ['Reference']) ?? '',
          receipt: str(o, ['Receipt']) ?? '',
          transactionDate: str(o, ['TransactionDate']) ?? '',
          // `<number> - <name>`: the number masked as soon as it arrives, like a result's receiver.
          recipient: maskPhonesInText(str(o, ['Recipient']) ?? ''),
          externalReference: str(o, ['ExternalReference']) ?? '',
          transactionType: str(o, ['TransactionType']) ?? '',
          amountMinor: parseProviderAmount(o?.['Amount']),
        };
      });
      return { kind: 'page', payments };
    }
    if (c.kind === 'code' && c.code === '404.000') return { kind: 'not-found', code: c.code, message: c.message };
    return common(c);
  }

  /** Every payment in a period, following `OffsetValue` 100 rows at a time. Stops at the first failure. */
  async *allTransactions(start: Date, end: Date): AsyncGenerator<PulledPayment, CommonFailure | undefined> {
    for (let offset = 0; ; ) {
      const page = await this.pullTransactions({ start, end, offset });
      if (page.kind === 'not-found') return undefined;
      if (page.kind !== 'page') return page;
      yield* page.payments;
      if (page.payments.length < 100) return undefined;
      offset += page.payments.length;
    }
  }
}
