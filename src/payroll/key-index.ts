import { PagedArray } from './paged-array.js';

const SHARDS = 256;
const SHARD_SHIFT = 24;
const SHARD_SPAN = 1 << SHARD_SHIFT;

/**
 * A compact map from string keys to row numbers, for duplicate detection over millions of rows in a few
 * tens of megabytes. A key is reduced to a 64-bit hash: 32 bits (the fingerprint) live in a table beside
 * the row number, the other 32 bits (the check) in a paged array indexed by row number. Keys themselves
 * are never stored. The table is split in 256 shards by the fingerprint's top byte, each an open-addressing
 * table (linear probing) that doubles when three quarters full, so growing never copies more than a
 * 256th of the whole.
 *
 * Two different keys share a hash with probability about n^2 / 2^65 (1 in 30 million for a million rows);
 * the consequence would be a duplicate reported that is not one, naming both lines so the officer sees
 * it, never a payout silently dropped or doubled.
 */
export class KeyIndex {
  private readonly fingerprints: Uint32Array[] = [];
  private readonly values: Int32Array[] = [];
  private readonly counts = new Uint32Array(SHARDS);
  private readonly checks = new PagedArray(Uint32Array);
  private count = 0;

  constructor(initialShardCapacity = 16) {
    for (let i = 0; i < SHARDS; i++) {
      this.fingerprints.push(new Uint32Array(initialShardCapacity));
      this.values.push(new Int32Array(initialShardCapacity));
    }
  }

  get size(): number {
    return this.count;
  }

  /**
   * The value stored for the hash (`fingerprint`, `check`); or stores `value` (a positive integer, at most
   * one key per value) and returns 0.
   */
  putIfAbsent(fingerprint: number, check: number, value: number): number {
    const shard = fingerprint >>> SHARD_SHIFT;
    const fingerprints = this.fingerprints[shard]!;
    const values = this.values[shard]!;
    const capacity = values.length;
    let slot = slotOf(fingerprint, capacity);
    for (;;) {
      const stored = values[slot]!;
      if (stored === 0) break;
      if (fingerprints[slot] === fingerprint && this.checks.get(stored) === check) return stored;
      if (++slot === capacity) slot = 0;
    }
    fingerprints[slot] = fingerprint;
    values[slot] = value;
    this.checks.set(value, check);
    this.count++;
    const count = ++this.counts[shard]!;
    if (count * 4 > capacity * 3) this.grow(shard);
    return 0;
  }

  private grow(shard: number): void {
    const fingerprints = this.fingerprints[shard]!;
    const values = this.values[shard]!;
    const capacity = values.length * 2;
    const newFingerprints = new Uint32Array(capacity);
    const newValues = new Int32Array(capacity);
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value === 0) continue;
      const fingerprint = fingerprints[i]!;
      let slot = slotOf(fingerprint, capacity);
      while (newValues[slot] !== 0) if (++slot === capacity) slot = 0;
      newFingerprints[slot] = fingerprint;
      newValues[slot] = value;
    }
    this.fingerprints[shard] = newFingerprints;
    this.values[shard] = newValues;
  }
}

/** The fingerprint's low 24 bits spread over the shard's slots (exact arithmetic, any capacity). */
function slotOf(fingerprint: number, capacity: number): number {
  return Math.floor(((fingerprint & (SHARD_SPAN - 1)) * capacity) / SHARD_SPAN);
}

/** The two 32-bit halves of a key's hash, written by `hashKey`. Reused to avoid allocating per row. */
export const HASH = new Uint32Array(2);

/**
 * A 64-bit hash (two independent 32-bit multiply-xorshift lanes, as in cyrb53) of `text` and a number
 * mixed in after it (an amount). `foldCase` makes ASCII letters case-insensitive.
 */
export function hashKey(text: string, extra = 0, foldCase = false): Uint32Array {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    let ch = text.charCodeAt(i);
    if (foldCase && ch >= 65 && ch <= 90) ch += 32;
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  // The number goes in as two 32-bit words, after a separator no text character can produce.
  const low = extra >>> 0;
  const high = Math.floor(extra / 0x1_0000_0000) >>> 0;
  h1 = Math.imul(Math.imul(Math.imul(h1 ^ 0x110000, 2654435761) ^ low, 2654435761) ^ high, 2654435761);
  h2 = Math.imul(Math.imul(Math.imul(h2 ^ 0x110000, 1597334677) ^ low, 1597334677) ^ high, 1597334677);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  HASH[0] = h1 >>> 0;
  HASH[1] = h2 >>> 0;
  return HASH;
}
