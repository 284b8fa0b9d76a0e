/**
 * Seeded pseudo-random numbers (mulberry32), so that every fault decision, id and settle delay is
 * reproducible for a given seed. Not for secrets: access tokens use node:crypto instead.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `rate` (0 never, 1 always). Always draws, so streams stay aligned. */
  chance(rate: number): boolean {
    return this.next() < rate;
  }

  /** An integer in [min, max], both inclusive. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** `length` characters from `alphabet`. */
  string(length: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

export const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * An independent stream per concern (ids, settle delays, each fault kind), so that turning one fault on
 * does not shift the decisions of another: FNV-1a of the label mixed into the seed.
 */
export function streamFor(seed: number, label: string): Rng {
  let hash = 0x811c9dc5;
  for (const ch of label) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return new Rng((seed ^ hash) >>> 0);
}
