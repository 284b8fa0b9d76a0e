import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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

describe.runIf(compose)('docker-compose.yml', () => {
  it('is a valid compose file', () => {
    const [cmd, ...args] = compose!;
    expect(() => execFileSync(cmd!, [...args, '-f', 'docker-compose.yml', 'config', '-q'], { stdio: 'pipe' })).not.toThrow();
  });

  it('declares healthchecks and the Temporal schema step before the server', () => {
    const [cmd, ...args] = compose!;
    const text = execFileSync(cmd!, [...args, '-f', 'docker-compose.yml', 'config'], { encoding: 'utf8' });
    for (const service of ['postgres:', 'temporal:', 'temporal-schema:', 'temporal-namespace:', 'temporal-ui:']) expect(text).toContain(service);
    expect(text).toMatch(/temporal-schema:\s*\n\s*condition: service_completed_successfully/);
    expect(text.match(/healthcheck:/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
