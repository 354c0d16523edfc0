// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run, when PostgreSQL is
// installed (CI installs it and a suite that needs it fails without it: helpers/tools.ts).
import { postgresAvailable, startPostgres } from './helpers/postgres.ts';

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.CENTRALIZER_TEST_PG_URL || !postgresAvailable()) return;
  const cluster = await startPostgres();
  process.env.CENTRALIZER_TEST_PG_URL = cluster.url; // inherited by the test processes (forks)
  return () => cluster.stop();
}
