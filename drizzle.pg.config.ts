import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations, generated from the schema derived in src/db/postgres/schema.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/db/postgres/schema.ts'],
  out: './drizzle-pg',
});
