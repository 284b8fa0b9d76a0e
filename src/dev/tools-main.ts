/** `npm run tools`: finds or installs the Temporal CLI, the time-skipping test server and schemathesis (API contract test). */
import { errorMessage } from '../common/errors.js';
import { ensureSchemathesis } from './schemathesis.js';
import { resolveTemporalTool } from './tools.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
try {
  for (const tool of ['cli', 'testServer'] as const) {
    const found = await resolveTemporalTool(tool, { log });
    process.stdout.write(`${tool === 'cli' ? 'temporal' : 'temporal-test-server'}: ${found.path} (${found.source})\n`);
  }
  process.stdout.write(`schemathesis: ${await ensureSchemathesis({ log })}\n`);
} catch (err) {
  process.stderr.write(`${errorMessage(err)}\n`);
  process.exitCode = 1;
}
