import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One throwaway PostgreSQL cluster per run (when installed); suites create their own databases.
    globalSetup: ['test/global-postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: IMAP and browser suites start their own servers; keep them from competing.
    maxWorkers: 2,
  },
});
