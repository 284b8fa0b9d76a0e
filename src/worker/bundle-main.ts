/** `npm run build:workflows [out]`: writes the prebuilt workflow bundle (default dist/workflow-bundle.js). */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeWorkflowBundle } from './bundle.js';

const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
await mkdir(dirname(out), { recursive: true });
await writeWorkflowBundle(out);
process.stdout.write(`workflow bundle written to ${out}\n`);
