/** `npm run tools`: finds or installs the Temporal CLI and the time-skipping test server. */
import { errorMessage } from '../common/errors.js';
import { resolveTemporalTool } from './tools.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
try {
  for (const tool of ['cli', 'testServer'] as const) {
    const found = await resolveTemporalTool(tool, { log });
    process.stdout.write(`${tool === 'cli' ? 'temporal' : 'temporal-test-server'}: ${found.path} (${found.source})\n`);
  }
} catch (err) {
  process.stderr.write(`${errorMessage(err)}\n`);
  process.exitCode = 1;
}
