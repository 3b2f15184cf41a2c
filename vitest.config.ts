import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each test file runs in its own fork: native modules (better-sqlite3) and nock stay isolated.
    pool: 'forks',
    reporters: ['default'],
  },
});
