import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../common/errors.js';
import { defaultToolsDir } from './tools.js';

const run = promisify(execFile);

/** Pinned so every machine runs the same checks: a new release can add checks that fail a green API. */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** Where it lives: its own virtualenv in the tools folder (git-ignored), away from any system Python. */
export function schemathesisVenv(toolsDir = defaultToolsDir()): string {
  return join(toolsDir, 'schemathesis-venv');
}

async function installedVersion(bin: string): Promise<string | undefined> {
  try {
    await access(bin, constants.X_OK);
    const { stdout } = await run(bin, ['--version'], { timeout: 60_000 });
    return /version\s+(\S+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The `schemathesis` CLI for the API contract test, installed from PyPI into `<toolsDir>/schemathesis-venv`
 * when missing or of another version. Needs `python3` with the `venv` module.
 */
export async function ensureSchemathesis(options: { toolsDir?: string; log?: (line: string) => void } = {}): Promise<string> {
  const venv = schemathesisVenv(options.toolsDir);
  const bin = join(venv, 'bin', 'schemathesis');
  if ((await installedVersion(bin)) === SCHEMATHESIS_VERSION) return bin;
  options.log?.(`schemathesis: installing ${SCHEMATHESIS_VERSION} from PyPI into ${venv}`);
  try {
    await rm(venv, { recursive: true, force: true });
    await mkdir(venv, { recursive: true });
    await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
    await run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', `schemathesis==${SCHEMATHESIS_VERSION}`], {
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new AppError('tool_not_found', `Could not install schemathesis ${SCHEMATHESIS_VERSION}: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`, {
      hint: `Needs python3 with venv (Debian: apt-get install python3-venv). By hand: python3 -m venv ${venv} && ${venv}/bin/pip install schemathesis==${SCHEMATHESIS_VERSION}`,
    });
  }
  const version = await installedVersion(bin);
  if (version !== SCHEMATHESIS_VERSION) throw new AppError('tool_not_found', `schemathesis installed into ${venv} but ${bin} reports ${version ?? 'nothing'}.`);
  return bin;
}
