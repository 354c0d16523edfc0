import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/db/schema.ts', './src/db/auth-schema.ts', './src/db/duplicates-schema.ts', './src/db/mail-auth-schema.ts', './src/db/funnel-schema.ts', './src/db/outbox-schema.ts', './src/db/cases-schema.ts'],
  out: './drizzle',
});
