/**
 * The browser tests drive the console the API serves from dist/console: build it when it is missing or older
 * than its sources (a fresh clone's `npm ci` built it already through `prepare`; an edited source did not).
 */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What the build reads: the console, the pure modules it imports, its config and the locked packages. */
const SOURCES = ['src/console', 'src/common', 'src/domain', 'console.vite.config.ts', 'package-lock.json'];

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))));
  return Math.max(s.mtimeMs, ...times);
}

export async function ensureConsoleBuilt(log: (line: string) => void): Promise<void> {
  const built = (await stat(join(ROOT, 'dist/console/index.html')).catch(() => undefined))?.mtimeMs ?? 0;
  const sources = Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(join(ROOT, s))))));
  if (built >= sources) return;
  log(built ? 'dist/console is older than its sources: npm run build:console' : 'dist/console is missing: npm run build:console');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build:console exited with ${code}`))));
  });
}
