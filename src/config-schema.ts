import { MAILBOX_PURPOSES } from './case-vocabulary.ts';
import { z } from 'zod';
import cron from 'node-cron';
import { COUNTRY_CODES } from './countries/index.ts';
import { mailAuthSchema } from './mail-auth/schema.ts';
import { intakeSchema } from './intake/config.ts';
import { trustProxySchema } from './client-address.ts';
import { casesSchema } from './cases/config.ts';

// The configuration's shape (zod): vendors, projects, mailboxes and every section; config.ts loads it.

const vendorSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  email: z.string().optional(),
  type: z.string().default('vendedor'),
  active: z.boolean().default(true),
  webhook: z.string().url().optional(),
  /** How the vendor hears of an assigned lead: an email, their webhook, both (each when configured) or nothing. */
  notify: z.enum(['email', 'webhook', 'both', 'none']).default('both'),
});

const projectSchema = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** The project's country when it differs from the company's (a company selling in Chile and Peru). */
  country: z.enum(COUNTRY_CODES).optional(),
  vendors: z.array(vendorSchema).default([]),
  webhook: z.string().url().optional(),
  /** WhatsApp greeting on the vendor's card: {cliente}, {proyecto} and {vendedor} are filled in. */
  whatsappGreeting: z.string().min(1).max(500).optional(),
  /** Managers' addresses: con_problemas leads without an owner and the daily digest. */
  notify: z.array(z.string().email()).default([]),
  /** Client acknowledgement (RFC 3834 auto-reply), off unless enabled; sent from `from`. */
  ack: z.object({ enabled: z.boolean().default(false), from: z.string().email().optional() }).optional(),
});

const mailboxSchema = z
  .object({
    name: z.string().min(1).regex(/^[\w.@-]+$/, 'solo letras, dígitos y . _ - @'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(993),
    secure: z.boolean().default(true),
    user: z.string().min(1),
    /** The country of the leads this mailbox receives, when it differs from the company's. */
    country: z.enum(COUNTRY_CODES).optional(),
    /** The address leads are sent to, when `user` is not it (per-mailbox country is found by it). */
    address: z.string().email().optional(),
    /** ventas: leads, and cases when the text is post-sale; servicio: every email is a case (src/cases/route.ts). */
    purpose: z.enum(MAILBOX_PURPOSES).default('ventas'),
    password: z.string().optional(),
    passwordEnv: z.string().optional(),
    folder: z.string().default('INBOX'),
    moveTo: z.string().optional(),
    markSeen: z.boolean().default(false),
    pollCron: z.string().optional(),
    tls: z.object({ rejectUnauthorized: z.boolean().default(true) }).optional(),
    /** OAuth2 (XOAUTH2) instead of a password: see src/mail-auth/schema.ts. */
    auth: mailAuthSchema.optional(),
  })
  .refine((m) => m.password !== undefined || m.passwordEnv !== undefined || m.auth !== undefined, {
    message: 'necesita password, passwordEnv o auth',
  });

export const configSchema = z.object({
  country: z.enum(COUNTRY_CODES).default('CL'),
  followUpDays: z.number().int().min(0).max(365).default(5),
  reassignAfterDays: z.number().int().min(1).max(3650).default(30),
  timezone: z.string().default('America/Santiago'),
  projects: z.array(projectSchema).default([]),
  /** Vendors may also be listed once, each naming its projects (merged into projects[].vendors). */
  vendors: z.array(vendorSchema.extend({ projects: z.array(z.string().min(1)).default([]) })).default([]),
  mailboxes: z.array(mailboxSchema).default([]),
  parsersDir: z.string().default('parsers'),
  /**
   * The company's own identifiers (its switchboard phones, its RUT or tax IDs, its mail domains):
   * printed in signatures and templates, never read as a client's (src/pipeline/own.ts).
   */
  company: z
    .object({
      phones: z.array(z.string().min(1)).default([]),
      nationalIds: z.array(z.string().min(1)).default([]),
      domains: z.array(z.string().min(1)).default([]),
    })
    .strict()
    .default({ phones: [], nationalIds: [], domains: [] }),
  admin: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      token: z.string().min(1).default('change-me'),
      /** The page's public address (links in notifications). */
      publicUrl: z.string().url().optional(),
      /** The reverse proxies in front (IPs or CIDR blocks): only their X-Forwarded-For / -Proto count. */
      trustProxy: trustProxySchema,
      sessionIdleMinutes: z.number().int().min(5).max(7 * 24 * 60).default(720),
      sessionMaxDays: z.number().int().min(1).max(90).default(7),
      /** How often the page looks for new leads (seconds). */
      pollSeconds: z.number().int().min(1).max(300).default(15),
    })
    .default({ host: '127.0.0.1', port: 8080, token: 'change-me', trustProxy: [], sessionIdleMinutes: 720, sessionMaxDays: 7, pollSeconds: 15 }),
  /**
   * SQLite file (`path`, the embedded default), or a PostgreSQL server (`url: postgres://…`, or
   * CENTRALIZER_DATABASE_URL) that several daemons can share.
   */
  database: z
    .strictObject({
      path: z.string().min(1).default('data/centralizer.db'),
      url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'debe ser una URL postgres:// o postgresql://').optional(),
      /**
       * PostgreSQL: a unit of work's statements are prepared once per connection and reused (the
       * outcome commit runs ~2× faster). false behind a pooler that does not keep prepared
       * statements across transactions (PgBouncer in transaction mode without max_prepared_statements).
       */
      preparedStatements: z.boolean().default(true),
    })
    .default({ path: 'data/centralizer.db', preparedStatements: true }),
  /** Scheduled online backups, off unless set: when (`cron`), where (`dir`), how many to keep. */
  backup: z
    .object({
      cron: z.string().refine((c) => cron.validate(c), 'no es una expresión cron válida'),
      dir: z.string().min(1).default('data/backups'),
      keep: z.number().int().min(1).max(10_000).default(7),
    })
    .optional(),
  /** Intake leads are written here (synced) before they are answered; default `spool/intake` beside the database. */
  spool: z
    .object({
      dir: z.string().min(1).optional(),
      /** Entries older than this, and in the database, are deleted. */
      retentionDays: z.number().int().min(1).max(3650).default(30),
    })
    .default({ retentionDays: 30 }),
  daemon: z
    .object({
      pollCron: z.string().default('* * * * *'),
      batchSize: z.number().int().min(1).max(5000).default(200),
      staleAfterSeconds: z.number().int().min(10).default(300),
      watchdogSeconds: z.number().int().min(5).default(60),
      reprocessDaysAfterReload: z.number().int().min(0).default(0),
    })
    .default({ pollCron: '* * * * *', batchSize: 200, staleAfterSeconds: 300, watchdogSeconds: 60, reprocessDaysAfterReload: 0 }),
  limits: z
    .object({
      maxMessageBytes: z.number().int().min(1024).default(25 * 1024 * 1024),
      maxHtmlBytes: z.number().int().min(1024).default(2 * 1024 * 1024),
      maxTextBytes: z.number().int().min(1024).default(1024 * 1024),
      maxParts: z.number().int().min(1).default(200),
      maxHeaderBytes: z.number().int().min(1024).default(256 * 1024),
      maxExtractMs: z.number().int().min(10).default(2000),
      /** HTML past this nesting depth is flattened, past this many elements cut, before a DOM is built. */
      maxHtmlDepth: z.number().int().min(8).default(128),
      maxHtmlElements: z.number().int().min(100).default(20_000),
    })
    .default({
      maxMessageBytes: 25 * 1024 * 1024,
      maxHtmlBytes: 2 * 1024 * 1024,
      maxTextBytes: 1024 * 1024,
      maxParts: 200,
      maxHeaderBytes: 256 * 1024,
      maxExtractMs: 2000,
      maxHtmlDepth: 128,
      maxHtmlElements: 20_000,
    }),
  /** The worker threads that parse and extract: `size` threads, each email's hard deadline. */
  workers: z
    .object({
      size: z.number().int().min(1).max(64).optional(),
      deadlineMs: z.number().int().min(50).default(10_000),
      /** A timed-out email is retried once (by reprocess) with this many times the deadline. */
      retryFactor: z.number().min(1).max(20).default(4),
    })
    .default({ deadlineMs: 10_000, retryFactor: 4 }),
  webhooks: z
    .object({
      secret: z.string().optional(),
      timeoutMs: z.number().int().min(100).default(5000),
      maxAttempts: z.number().int().min(1).max(50).default(8),
    })
    .default({ timeoutMs: 5000, maxAttempts: 8 }),
  /** Outgoing mail (notifications); absent: nothing is sent, the outbox keeps the rows. */
  smtp: z
    .object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false),
      user: z.string().optional(),
      password: z.string().optional(),
      passwordEnv: z.string().optional(),
      /** XOAUTH2 instead of a password (Microsoft 365 retires basic SMTP AUTH in 2026). */
      auth: mailAuthSchema.optional(),
      from: z.string().min(3),
      tls: z.object({ rejectUnauthorized: z.boolean().default(true) }).optional(),
    })
    .optional(),
  notifications: z
    .object({
      enabled: z.boolean().default(true),
      /** Daily digest, in `timezone`. */
      digestCron: z.string().refine((c) => cron.validate(c), 'no es una expresión cron válida').default('0 8 * * *'),
      ackCooldownDays: z.number().int().min(0).max(3650).default(30),
      maxAttempts: z.number().int().min(1).max(100).default(12),
    })
    .default({ enabled: true, digestCron: '0 8 * * *', ackCooldownDays: 30, maxAttempts: 12 }),
  /** Post-sale cases: working calendar, SLA targets per category, escalation, survey (src/cases/config.ts). */
  cases: casesSchema,
  /** The HTTP intake listener (forms, Google Ads, Meta lead ads): off unless set. See src/intake/. */
  intake: intakeSchema.optional(),
  log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).default({ level: 'info' }),
});

export type Config = z.infer<typeof configSchema>;
export type ProjectConfig = Config['projects'][number];
export type MailboxConfig = Config['mailboxes'][number];
export type Limits = Config['limits'];
