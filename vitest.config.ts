import { defineConfig } from 'vitest/config';
import { postgresAvailable } from './test/helpers/postgres.ts';

// The HTTP suites, and the API suites on the same fixture, run a second time on PostgreSQL
// (CENTRALIZER_TEST_DB=postgres: the fixture gives each a fresh database on the run's cluster). The
// storage, daemon and engine-parity suites already run both engines themselves. Without PostgreSQL a developer's run skips that project; CI never
// does: there the suites fail (test/http-fixture.ts, helpers/tools.ts).
const POSTGRES_SUITES = [
  'test/http-*.test.ts',
  'test/funnel.test.ts',
  'test/vendor-day.test.ts',
  'test/parser-quarantine.test.ts',
  'test/parsers-explain.test.ts',
  'test/notification-texts.test.ts',
  'test/cases-survey.test.ts',
  'test/trust-proxy.test.ts',
  'test/cases-page.test.ts',
  'test/client-page.test.ts',
  'test/vendor-page.test.ts',
  'test/manager-page.test.ts',
  'test/admin-page.test.ts',
  'test/funnel-page.test.ts',
  'test/intake-forms.test.ts',
  'test/intake-receipts.test.ts',
  'test/intake-ads.test.ts',
  'test/notifications-smtp.test.ts',
];
const withPostgres = postgresAvailable() || Boolean(process.env.CI);
if (!withPostgres) console.warn('skipping the postgres project: PostgreSQL is not installed (see README)');

export default defineConfig({
  test: {
    // One throwaway PostgreSQL cluster per run (when installed); suites create their own databases.
    // Every project inherits it; the setup starts the cluster once (the first sets the URL).
    globalSetup: ['test/global-postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: IMAP and browser suites start their own servers; keep them from competing.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      ...(withPostgres
        ? [{
          extends: true as const,
          test: {
            name: 'postgres',
            include: POSTGRES_SUITES,
            exclude: ['test/http-engines.test.ts'], // compares both engines itself
            env: { CENTRALIZER_TEST_DB: 'postgres' },
          },
        }]
        : []),
    ],
  },
});
