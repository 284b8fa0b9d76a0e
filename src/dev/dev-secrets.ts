import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Keys of the embedded stack's demo users; created once per data directory and kept there (mode 0600). */
export interface DevSecrets {
  callbackSecret: string;
  keys: { submitter: string; approver: string; viewer: string };
}

export async function devSecrets(dataDir: string): Promise<DevSecrets> {
  const path = join(dataDir, 'dev-secrets.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DevSecrets;
  } catch {
    const secret = (): string => randomBytes(18).toString('base64url');
    const created: DevSecrets = { callbackSecret: secret(), keys: { submitter: secret(), approver: secret(), viewer: secret() } };
    await writeFile(path, JSON.stringify(created, null, 2), { mode: 0o600 });
    return created;
  }
}

/** `API_KEYS` for the embedded stack: a payroll officer, a finance approver, an auditor. */
export function devApiKeys(s: DevSecrets): string {
  return `officer:submitter:${s.keys.submitter},finance:approver:${s.keys.approver},auditor:viewer:${s.keys.viewer}`;
}
