import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ConfigError } from '../common/errors.js';
import { Problem, problems } from './problem.js';
import type { Session } from './session-auth.js';

export const ROLES = ['submitter', 'approver', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  user: string;
  role: Role;
  /** SHA-256 of the key: keys are compared as digests, in constant time, and never kept in clear. */
  digest: Buffer;
}

export interface Principal {
  user: string;
  role: Role;
}

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/** `API_KEYS="alice:submitter:<key>,bob:approver:<key>"`; keys of at least 16 characters. */
export function parseApiKeys(raw: string): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [user, role, key, ...rest] = entry.split(':');
    if (!user || !role || !key || rest.length > 0) {
      throw new ConfigError('API_KEYS', `entry "${user ?? ''}:…" must be user:role:key`, 'Example: API_KEYS="alice:submitter:<32 random chars>,bob:approver:<32 random chars>"');
    }
    if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError('API_KEYS', `role "${role}" of ${user} is not one of ${ROLES.join(', ')}`);
    if (key.length < 16) throw new ConfigError('API_KEYS', `the key of ${user} is shorter than 16 characters`, 'Generate keys with: openssl rand -hex 24');
    keys.push({ user, role: role as Role, digest: digest(key) });
  }
  return keys;
}

/** The configured key equal to `key`, comparing against every configured key so timing reveals nothing. */
export function findKey(keys: readonly ApiKey[], key: string): ApiKey | undefined {
  const given = digest(key);
  let found: ApiKey | undefined;
  for (const k of keys) if (timingSafeEqual(k.digest, given) && !found) found = k;
  return found;
}

/** Finds the bearer key's owner (`Authorization: Bearer <key>`), in constant time. */
export function authenticate(keys: readonly ApiKey[], authorization: string | undefined): Principal | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const found = findKey(keys, match[1]!);
  return found && { user: found.user, role: found.role };
}

/**
 * What a session remembers of the key it was opened with: a SHA-256 of the key's digest, so the key is never
 * stored and a session ends once its key leaves API_KEYS (removed, rotated or given another role).
 */
export const keyHash = (k: ApiKey): Buffer => createHash('sha256').update('disburse-session-key:').update(k.digest).digest();

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    /** Set when the caller came with the console's session cookie (src/api/session-auth.ts). */
    consoleSession: Session | undefined;
  }
}

/** The caller, who must hold one of `roles`. */
export function requireRole(request: FastifyRequest, roles: readonly Role[]): Principal {
  const p = request.principal;
  if (!p) throw problems.unauthorized();
  if (!roles.includes(p.role)) throw problems.forbidden(p.user, p.role, [...roles]);
  return p;
}

export const ANY_ROLE: readonly Role[] = ROLES;

export { Problem };
