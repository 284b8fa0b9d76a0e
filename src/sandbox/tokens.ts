import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Issued bearer tokens: random opaque strings (crypto, not the seeded RNG: they are secrets). */
export class TokenStore {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly credentials: { key: string; secret: string },
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  credentialsMatch(key: string, secret: string): boolean {
    return same(key, this.credentials.key) && same(secret, this.credentials.secret);
  }

  issue(): { token: string; expiresIn: number } {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    this.expiries.set(token, this.now() + this.ttlSeconds * 1000);
    return { token, expiresIn: this.ttlSeconds };
  }

  /** 'valid', or why not: no `Authorization: Bearer` header, an unknown token, or an expired one. */
  check(authorization: string | undefined): 'valid' | 'missing' | 'unknown' | 'expired' {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return 'missing';
    const expiry = this.expiries.get(match[1]!);
    if (expiry === undefined) return 'unknown';
    return this.now() < expiry ? 'valid' : 'expired';
  }

  /** Invalidates every issued token at once, as a credential rotation on PesaWay's side would. */
  revokeAll(): number {
    const n = this.expiries.size;
    this.expiries.clear();
    return n;
  }

  /** Forget long-expired tokens so the map stays small over long runs. */
  private sweep(): void {
    if (this.expiries.size < 1000) return;
    const cutoff = this.now() - 60_000;
    for (const [token, expiry] of this.expiries) if (expiry < cutoff) this.expiries.delete(token);
  }
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
