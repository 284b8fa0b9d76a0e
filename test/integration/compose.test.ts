/**
 * The production stack files: Dockerfile, .dockerignore, docker-compose.yml and the production section
 * of .env.example. No Docker engine runs in CI, so nothing is built or started: the static checks read
 * the files (always run), and the compose checks ask a compose client to validate and resolve the file
 * (they run when `docker compose` v2 or Debian's `docker-compose` 1.29 is installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** `docker compose` (v2 plugin) or Debian's `docker-compose` (v1): either validates the file offline. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return undefined;
}

const compose = composeCommand();
if (!compose) {
  process.stderr.write('compose.test.ts: skipped: neither `docker compose` nor `docker-compose` is installed (only the client is needed; .ci/run installs it)\n');
}

/** Compose v2 leaves services of inactive profiles out of `config`; 1.29 lists them all (with `profiles:`). */
function filtersProfiles(cmd: string[]): boolean {
  const [bin, ...args] = cmd;
  const out = spawnSync(bin!, [...args, 'version', '--short'], { encoding: 'utf8' }).stdout ?? '';
  return !/^v?1\./.test(out.trim());
}

// ---------------------------------------------------------------------------------------------------------
// A tiny reader for the normalised YAML `config` prints (block style, consistent indentation). Enough to
// walk services -> key -> key; not a YAML parser.

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** The lines nested under `key` among the shallowest entries of `block`; undefined when there is no such key. */
function child(block: string[] | undefined, key: string): string[] | undefined {
  if (!block) return undefined;
  const lines = block.filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const base = Math.min(...lines.map(indentOf));
  const at = lines.findIndex((l) => indentOf(l) === base && (l.trim() === `${key}:` || l.trim().startsWith(`${key}: `)));
  if (at < 0) return undefined;
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    // A sequence may sit at its key's own indentation (`ports:\n- 3000:3000`); a sibling key ends the block.
    if (indentOf(l) < base || (indentOf(l) === base && !l.trimStart().startsWith('- '))) break;
    out.push(l);
  }
  return out;
}

/** `key: value` among the shallowest entries of `block`, unquoted. */
function scalar(block: string[] | undefined, key: string): string | undefined {
  const lines = (block ?? []).filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const base = Math.min(...lines.map(indentOf));
  const line = lines.find((l) => indentOf(l) === base && l.trim().startsWith(`${key}: `));
  return line?.trim().slice(key.length + 2).trim().replace(/^(['"])(.*)\1$/, '$2');
}

/** A block as one string; YAML single-quote escapes undone and line folds collapsed, whichever client printed it. */
const text = (block: string[] | undefined): string => (block ?? []).map((l) => l.trim()).join('\n').replace(/''/g, "'");
const oneLine = (block: string[] | undefined): string => text(block).replace(/\s+/g, ' ');

// ---------------------------------------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), 'compose-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let envFiles = 0;

const SECRET = 'compose-test-secret-0123456789abcdef';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compose client on docker-compose.yml with exactly `envFile` as its .env and a bare process
 * environment, so neither a developer's .env nor the test run's own variables leak into the result.
 */
function runCompose(envFile: string, args: string[], profiles: string[] = []): Run {
  const [bin, ...base] = compose!;
  const path = join(scratch, `env-${++envFiles}`);
  writeFileSync(path, envFile);
  const r = spawnSync(bin!, [...base, '--env-file', path, '-f', COMPOSE_FILE, ...profiles.flatMap((p) => ['--profile', p]), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? tmpdir() },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function resolved(envFile: string, profiles: string[] = []): { services: string[]; service: (name: string) => string[] | undefined } {
  const r = runCompose(envFile, ['config'], profiles);
  if (r.status !== 0) throw new Error(`compose config failed (exit ${r.status}): ${r.stderr}`);
  const root = r.stdout.split('\n');
  const services = child(root, 'services') ?? [];
  const names = services.filter((l) => indentOf(l) === Math.min(...services.map(indentOf)) && /^\s*[\w.-]+:\s*$/.test(l)).map((l) => l.trim().slice(0, -1));
  return { services: names, service: (name) => child(services, name) };
}

describe.runIf(compose)('docker-compose.yml with a compose client', () => {
  const ENV = `CALLBACK_SECRET=${SECRET}\nPOSTGRES_PASSWORD=pw-from-env-file\n`;

  it('is a valid compose file (config -q) once CALLBACK_SECRET is set', () => {
    const r = runCompose(ENV, ['config', '-q']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('refuses to resolve without CALLBACK_SECRET, and says which variable is missing', () => {
    for (const env of ['POSTGRES_PASSWORD=x\n', 'CALLBACK_SECRET=\n']) {
      const r = runCompose(env, ['config', '-q']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('CALLBACK_SECRET');
      expect(r.stderr).toContain('set CALLBACK_SECRET in .env');
    }
  });

  it('runs PostgreSQL, Temporal (schema, server, namespace, Web UI), the API and the worker', () => {
    const { services } = resolved(ENV);
    for (const s of ['postgres', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui', 'api', 'worker']) expect(services).toContain(s);
  });

  it('keeps the sandbox behind the `sandbox` profile', () => {
    const withProfile = resolved(ENV, ['sandbox']);
    expect(withProfile.services).toContain('sandbox');
    expect(text(child(withProfile.service('sandbox'), 'profiles'))).toMatch(/^\s*- ['"]?sandbox['"]?$/m);
    for (const s of withProfile.services.filter((n) => n !== 'sandbox')) expect(child(withProfile.service(s), 'profiles'), `${s} has a profile`).toBeUndefined();
    const profiles = runCompose(ENV, ['config', '--profiles']);
    expect(profiles.stdout.trim().split('\n')).toEqual(['sandbox']);
    // The sandbox's healthcheck uses node (the image has no curl) and it listens on all interfaces.
    expect(text(child(withProfile.service('sandbox'), 'healthcheck'))).toContain("fetch('http://127.0.0.1:4010/");
    expect(oneLine(child(withProfile.service('sandbox'), 'command'))).toMatch(/dist\/sandbox\/main\.js --host 0\.0\.0\.0 --port 4010/);
  });

  it('leaves the sandbox out of a plain `config` where the client filters by profile', () => {
    // Compose v2 drops services of inactive profiles from `config`; 1.29 lists them, marked by `profiles:`.
    const plain = resolved(ENV);
    if (filtersProfiles(compose!)) expect(plain.services).not.toContain('sandbox');
    else expect(text(child(plain.service('sandbox'), 'profiles'))).toMatch(/sandbox/);
  });

  it('starts the API and the worker after PostgreSQL is healthy and the namespace is set up', () => {
    const { service } = resolved(ENV);
    for (const name of ['api', 'worker']) {
      const deps = child(service(name), 'depends_on');
      expect(scalar(child(deps, 'postgres'), 'condition'), `${name} -> postgres`).toBe('service_healthy');
      expect(scalar(child(deps, 'temporal-namespace'), 'condition'), `${name} -> temporal-namespace`).toBe('service_completed_successfully');
    }
    expect(scalar(child(child(service('temporal'), 'depends_on'), 'temporal-schema'), 'condition')).toBe('service_completed_successfully');
    expect(scalar(child(child(service('temporal-namespace'), 'depends_on'), 'temporal'), 'condition')).toBe('service_healthy');
  });

  it('lets the worker scale: no host ports, no container name', () => {
    const { service } = resolved(ENV);
    const worker = service('worker');
    expect(worker).toBeDefined();
    expect(child(worker, 'ports')).toBeUndefined();
    expect(scalar(worker, 'container_name')).toBeUndefined();
    expect(scalar(service('api'), 'container_name')).toBeUndefined();
    expect(text(child(worker, 'command'))).toContain('dist/worker/main.js');
  });

  it('declares healthchecks, the API one on /readyz without curl', () => {
    const { service } = resolved(ENV);
    for (const s of ['postgres', 'temporal', 'temporal-ui', 'api']) expect(child(service(s), 'healthcheck'), `${s} healthcheck`).toBeDefined();
    const api = text(child(child(service('api'), 'healthcheck'), 'test'));
    expect(api).toContain("fetch('http://127.0.0.1:3000/readyz')");
    expect(api).not.toMatch(/curl|wget/);
    expect(text(child(service('api'), 'ports'))).toMatch(/target: 3000/);
  });

  it('wires the API and the worker to the compose PostgreSQL and Temporal with one shared callback secret', () => {
    const { service } = resolved(ENV);
    const pg = child(service('postgres'), 'environment');
    for (const name of ['api', 'worker']) {
      const env = child(service(name), 'environment');
      expect(scalar(env, 'DATABASE_URL'), name).toMatch(/^postgres(ql)?:\/\/([^@/]*@)?postgres:5432\/disburse$/);
      // Credentials come from PGUSER/PGPASSWORD, i.e. from the same variables PostgreSQL is initialised with.
      expect(scalar(env, 'PGUSER'), name).toBe(scalar(pg, 'POSTGRES_USER'));
      expect(scalar(env, 'PGPASSWORD'), name).toBe('pw-from-env-file');
      expect(scalar(env, 'TEMPORAL_ADDRESS'), name).toBe('temporal:7233');
      expect(scalar(env, 'TEMPORAL_NAMESPACE'), name).toBe('default');
      expect(scalar(env, 'CALLBACK_SECRET'), name).toBe(SECRET);
    }
    expect(scalar(pg, 'POSTGRES_PASSWORD')).toBe('pw-from-env-file');
    const api = child(service('api'), 'environment');
    expect(scalar(api, 'API_HOST')).toBe('0.0.0.0');
    const worker = child(service('worker'), 'environment');
    expect(scalar(worker, 'PESAWAY_BASE_URL')).toBe('http://sandbox:4010');
    expect(scalar(worker, 'CALLBACK_BASE_URL')).toBe('http://api:3000');
    expect(scalar(worker, 'WORKFLOW_BUNDLE_PATH')).toBe('/app/dist/workflow-bundle.js');
    // PesaWay credentials live in the worker only.
    expect(scalar(api, 'PESAWAY_CONSUMER_SECRET')).toBeUndefined();
  });

  it('takes overrides from the env file (remote Temporal, managed PostgreSQL, rate limit)', () => {
    const { service } = resolved(
      `${ENV}TEMPORAL_ADDRESS=ns.a1b2c.tmprl.cloud:7233\nTEMPORAL_NAMESPACE=ns.a1b2c\nTEMPORAL_API_KEY=placeholder\n` +
        'DATABASE_URL=postgres://u:p@db.example.internal:5432/disburse\nPESAWAY_RATE_LIMIT_PER_SECOND=25\n',
    );
    const worker = child(service('worker'), 'environment');
    expect(scalar(worker, 'TEMPORAL_ADDRESS')).toBe('ns.a1b2c.tmprl.cloud:7233');
    expect(scalar(worker, 'TEMPORAL_NAMESPACE')).toBe('ns.a1b2c');
    expect(scalar(worker, 'TEMPORAL_API_KEY')).toBe('placeholder');
    expect(scalar(worker, 'DATABASE_URL')).toBe('postgres://u:p@db.example.internal:5432/disburse');
    expect(scalar(worker, 'PESAWAY_RATE_LIMIT_PER_SECOND')).toBe('25');
  });

  it('accepts .env.example as a .env once CALLBACK_SECRET is filled in', () => {
    const example = read('.env.example');
    expect(runCompose(example, ['config', '-q']).stderr).toContain('CALLBACK_SECRET');
    const filled = example.replace(/^CALLBACK_SECRET=$/m, `CALLBACK_SECRET=${SECRET}`);
    expect(filled).not.toBe(example);
    const { service } = resolved(filled, ['sandbox']);
    // The Web UI links the API hands out point at the port compose publishes the UI on.
    const uiPort = /published: ['"]?(\d+)/.exec(text(child(service('temporal-ui'), 'ports')))?.[1];
    expect(uiPort).toBeDefined();
    expect(scalar(child(service('api'), 'environment'), 'TEMPORAL_UI_URL')).toBe(`http://localhost:${uiPort}`);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Static checks: no compose client needed, always run.

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): Array<{ op: string; args: string }> {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const all = instructions(dockerfile);
  const stages: Array<typeof all> = [];
  for (const ins of all) {
    if (ins.op === 'FROM') stages.push([]);
    stages.at(-1)?.push(ins);
  }
  const runtime = stages.at(-1) ?? [];
  const argDefaults = Object.fromEntries(
    all.slice(0, all.findIndex((i) => i.op === 'FROM')).filter((i) => i.op === 'ARG').map((i) => i.args.split('=') as [string, string]),
  );

  it('is multi-stage on node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      const image = stage[0]!.args.split(/\s+/)[0]!.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => argDefaults[name] ?? name);
      expect(image).toBe('node:20-bookworm-slim');
    }
  });

  it('builds with dev dependencies, then installs production dependencies only', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build']).toBeDefined();
    expect(pkg.scripts['build:workflows']).toBeDefined();
    const runs = all.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(/npm ci(?![^\n]*--omit=dev)/);
    expect(runs).toMatch(/npm ci[^\n]*--omit=dev/);
    expect(runs).toContain('npm run build');
    expect(runs).toContain('npm run build:workflows');
    // The runtime stage installs nothing itself: it copies node_modules and dist/ from the other stages.
    expect(runtime.filter((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args))).toEqual([]);
    expect(runtime.some((i) => i.op === 'COPY' && /--from=\S+ \S*node_modules/.test(i.args))).toBe(true);
    expect(runtime.some((i) => i.op === 'COPY' && /--from=\S+ \S*dist/.test(i.args))).toBe(true);
    // "type": "module" in package.json makes dist/**/*.js ES modules: it must be in the image.
    expect(runtime.some((i) => i.op === 'COPY' && /^package\.json\b/.test(i.args))).toBe(true);
  });

  it('runs as a non-root user with NODE_ENV=production and the prebuilt workflow bundle', () => {
    const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const env = runtime.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bWORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js\b/);
    expect(runtime.find((i) => i.op === 'WORKDIR')?.args).toBe('/app');
  });

  it('starts roles from files `npm run build` produces', () => {
    // tsc maps src/<path>.ts to dist/<path>.js (tsconfig.build.json: rootDir src, outDir dist).
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(read('src/worker/bundle-main.ts')).toContain("'dist/workflow-bundle.js'");
    const composeText = read('docker-compose.yml');
    for (const role of ['api', 'worker', 'sandbox']) {
      expect(existsSync(join(ROOT, 'src', role, 'main.ts')), `src/${role}/main.ts`).toBe(true);
      expect(dockerfile).toContain(`dist/${role}/main.js`);
      expect(composeText).toContain(`dist/${role}/main.js`);
    }
    const cmd = runtime.find((i) => i.op === 'CMD')?.args ?? '';
    expect(cmd).toMatch(/^\["node", "dist\/(api|worker|sandbox)\/main\.js"\]$/);
    // Every compiled file either file mentions has its source.
    for (const path of new Set([...dockerfile.matchAll(/dist\/([\w/.-]+)\.js/g), ...composeText.matchAll(/dist\/([\w/.-]+)\.js/g)].map((m) => m[1]!))) {
      if (path === 'workflow-bundle') continue;
      expect(existsSync(join(ROOT, 'src', `${path}.ts`)), `src/${path}.ts for dist/${path}.js`).toBe(true);
    }
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps local state and secrets out of the build context', () => {
    for (const p of ['node_modules', 'dist', '.data', '.tools', '.scratch', '.git', '.env']) expect(patterns).toContain(p);
  });

  it('keeps what the Dockerfile copies', () => {
    const copied = instructions(read('Dockerfile'))
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const path of copied) expect(patterns, path).not.toContain(path);
  });
});

describe('.env.example', () => {
  const example = read('.env.example');

  it('documents every variable docker-compose.yml reads, in a delimited production section', () => {
    expect(example).toMatch(/^# === Production \(docker compose\) =+$/m);
    expect(example).toMatch(/^# === End of production \(docker compose\) =+$/m);
    const composeText = read('docker-compose.yml').split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
    const variables = new Set([...composeText.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect(variables.size).toBeGreaterThan(20);
    for (const name of variables) expect(example, `${name} in .env.example`).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('holds no secret: CALLBACK_SECRET is empty and credentials are placeholders', () => {
    expect(example).toMatch(/^CALLBACK_SECRET=$/m);
    for (const line of example.split('\n').filter((l) => /^[A-Z_]+=/.test(l))) {
      expect(line, 'active secret-like line').not.toMatch(/^(\w*(SECRET|PASSWORD|API_KEY|API_KEYS|SIGNING_KEY))=.+/);
    }
  });
});
