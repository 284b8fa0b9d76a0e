import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal native bridge misbehaves in worker threads; each test file gets its own process.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
