import { mkdir, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grantTraverseToPostgresUser } from '../../src/dev/root-access.js';

describe.runIf(process.getuid?.() === 0)('as root: PostgreSQL user access', () => {
  it('adds only the traverse bit to closed folders above a data directory, and says so', async () => {
    const closed = await mkdtemp(join(tmpdir(), 'closed-')); // mkdtemp makes it 0700
    const data = join(closed, 'project', '.data');
    await mkdir(data, { recursive: true, mode: 0o700 });
    const lines: string[] = [];
    await grantTraverseToPostgresUser([data], (l) => lines.push(l));
    expect((await stat(closed)).mode & 0o777).toBe(0o701);
    expect((await stat(data)).mode & 0o777).toBe(0o701);
    expect(lines.some((l) => l.includes(closed))).toBe(true);

    lines.length = 0;
    await grantTraverseToPostgresUser([data], (l) => lines.push(l));
    expect(lines).toEqual([]);
  });
});
