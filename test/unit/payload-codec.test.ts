/** The AES-256-GCM payload codec and its key list: round trips, rotation, tampering, and refusals that say what to fix. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, parseCodecKeys, PayloadDecryptError } from '../../src/temporal/payload-codec.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const value = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);
const text = (p: Payload): string => Buffer.from(p.data ?? []).toString('latin1') + JSON.stringify(Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('latin1')])));

describe('AesGcmPayloadCodec', () => {
  const secret = { reference: 'TW2YC7HPS9R1A1', amountMinor: 123_456, destination: '2547*****000' };

  it('encrypts each payload under a fresh nonce and gives the original back', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [a, b] = await codec.encode([payload(secret), payload(secret)]);
    for (const p of [a!, b!]) {
      expect(Buffer.from(p.metadata!['encoding']!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe('k1');
      for (const clear of ['TW2YC7HPS9R1A1', '123456', '2547', 'json/plain']) expect(text(p)).not.toContain(clear);
    }
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    const decoded = await codec.decode([a!, b!]);
    expect(decoded.map(value)).toEqual([secret, secret]);
  });

  it('decrypts runs started under a rotated-out key while it is still listed, and encrypts with the first', async () => {
    const old = key('2026-06');
    const fresh = key('2026-12');
    const [sealedOld] = await new AesGcmPayloadCodec([old]).encode([payload(secret)]);
    const rotated = new AesGcmPayloadCodec([fresh, old]);
    expect((await rotated.decode([sealedOld!])).map(value)).toEqual([secret]);
    const [sealedNew] = await rotated.encode([payload(secret)]);
    expect(Buffer.from(sealedNew!.metadata!['encryption-key-id']!).toString()).toBe('2026-12');
    // Dropped altogether: the error names the key it needs, and never a key's bytes.
    const err = await new AesGcmPayloadCodec([fresh]).decode([sealedOld!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadDecryptError);
    expect((err as Error).message).toMatch(/key "2026-06", which is not in TEMPORAL_PAYLOAD_KEYS \(it has "2026-12"\)/);
    expect((err as Error).message).not.toContain(old.key.toString('base64'));
  });

  it('refuses a payload altered in transit or moved under another key id', async () => {
    const k1 = key('k1');
    const codec = new AesGcmPayloadCodec([k1, { id: 'k2', key: k1.key }]);
    const [sealed] = await codec.encode([payload(secret)]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow(/failed authentication/);
    const moved = { ...sealed!, metadata: { ...sealed!.metadata, 'encryption-key-id': new TextEncoder().encode('k2') } };
    await expect(codec.decode([moved])).rejects.toThrow(/failed authentication/);
  });

  it('passes payloads that were never encrypted through unchanged (runs from before it was switched on)', async () => {
    const plain = payload(secret);
    expect((await new AesGcmPayloadCodec([key('k1')]).decode([plain])).map(value)).toEqual([secret]);
  });
});

describe('parseCodecKeys', () => {
  const b64 = randomBytes(32).toString('base64');
  it('reads id:key pairs, the first encrypting, and nothing when unset', () => {
    expect(parseCodecKeys(undefined)).toBeUndefined();
    expect(parseCodecKeys('  ')).toBeUndefined();
    const keys = parseCodecKeys(`2026-12:${b64}, 2026-06:${randomBytes(32).toString('base64')}`)!;
    expect(keys.map((k) => k.id)).toEqual(['2026-12', '2026-06']);
    expect(keys[0]!.key.toString('base64')).toBe(b64);
  });
  it('says which entry is wrong and how to make a key, without echoing the key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseCodecKeys(`k1:${short}`)).toThrow(/TEMPORAL_PAYLOAD_KEYS: key "k1" is not the base64 of 32 bytes \(it decodes to 16\)/);
    expect(() => parseCodecKeys(`k1:${short}`)).not.toThrow(new RegExp(short.replace(/[+/]/g, '.')));
    expect(() => parseCodecKeys(b64)).toThrow(/entry 1 has no key id/);
    expect(() => parseCodecKeys(`k1:${b64},k1:${b64}`)).toThrow(/key id "k1" is listed twice/);
    expect(() => parseCodecKeys('k1:not base64!')).toThrow(/not the base64 of 32 bytes/);
  });
});
