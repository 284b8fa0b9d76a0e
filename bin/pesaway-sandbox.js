#!/usr/bin/env node
// The PesaWay sandbox CLI: runs the TypeScript sources through tsx (no build step needed).
import { register } from 'tsx/esm/api';

register();
await import('../src/sandbox/main.ts');
