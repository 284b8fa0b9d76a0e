/**
 * Temporal payloads encrypted with AES-256-GCM before they leave the process, for Temporal Cloud or any
 * cluster the payroll team does not run: the server then stores ciphertext only (no amounts, references or
 * masked numbers). Each payload is the original Payload protobuf, encrypted under a fresh 96-bit nonce; its
 * metadata says `binary/encrypted` and which key encrypted it, so keys can rotate: the first configured key
 * encrypts, every configured key decrypts, and a run started under an old key still reads while that key
 * stays listed. Off unless TEMPORAL_PAYLOAD_KEYS is set.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
// A CommonJS package: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { ConfigError } from '../common/errors.js';

const { Payload: PayloadProto } = proto.temporal.api.common.v1;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface CodecKey {
  id: string;
  key: Buffer;
}

/** A payload this codec cannot read: which key it needs, or that it was altered. Never the key itself. */
export class PayloadDecryptError extends Error {
  override readonly name = 'PayloadDecryptError';
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: CodecKey;

  /** `keys[0]` encrypts; all of them decrypt. */
  constructor(keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  // async: a payload that cannot be read rejects the promise, never throws in the caller's hand.
  // eslint-disable-next-line @typescript-eslint/require-await
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  private encrypt(payload: Payload): Payload {
    const plain = PayloadProto.encode(payload).finish();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    // The key id is bound to the ciphertext: moving a payload under another id fails to decrypt.
    cipher.setAAD(utf8.encode(this.current.id));
    const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(this.current.id) },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    // Not ours (written before encryption was switched on, or by a client without it): passed through.
    if (!encoding || text.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const rawId = payload.metadata?.[KEY_ID_METADATA];
    const id = rawId ? text.decode(rawId) : '';
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadDecryptError(
        `payload encrypted with key "${id.slice(0, 64)}", which is not in TEMPORAL_PAYLOAD_KEYS (it has ${this.keyIds.map((k) => `"${k}"`).join(', ')}): add that key back, after the current one, to read runs started under it`,
      );
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptError(`payload under key "${id}" is too short to be AES-256-GCM ciphertext`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
    decipher.setAAD(utf8.encode(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptError(`payload under key "${id}" failed authentication: it was altered, or that id names another key than the one that encrypted it`);
    }
    return PayloadProto.decode(plain);
  }
}

/**
 * `TEMPORAL_PAYLOAD_KEYS="2026-12:<base64 of 32 bytes>,2026-06:<base64>"`: id and key pairs, the first the
 * one that encrypts. Undefined (no encryption) when unset or empty.
 */
export function parseCodecKeys(raw: string | undefined, name = 'TEMPORAL_PAYLOAD_KEYS'): CodecKey[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const hint = 'Each entry is <key id>:<base64 of 32 random bytes>, e.g. 2026-12:$(openssl rand -base64 32); the first entry encrypts, all decrypt.';
  const keys: CodecKey[] = [];
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new ConfigError(name, `entry ${keys.length + 1} has no key id (1–64 letters, digits, dot, dash, underscore) before its ":"`, hint);
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== KEY_BYTES) {
      throw new ConfigError(name, `key "${id}" is not the base64 of ${KEY_BYTES} bytes (it decodes to ${key.length})`, hint);
    }
    if (keys.some((k) => k.id === id)) throw new ConfigError(name, `key id "${id}" is listed twice`, hint);
    keys.push({ id, key });
  }
  return keys.length ? keys : undefined;
}

/** The data converter for clients and workers: the codec when keys are configured, the SDK's default otherwise. */
export function dataConverterFor(keys: readonly CodecKey[] | undefined): { payloadCodecs: PayloadCodec[] } | undefined {
  return keys ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : undefined;
}
