import { z } from 'zod';
import { trustProxySchema } from '../client-address.ts';

/** Fields a form can map (canonical name to the form's own field name). */
export const FORM_FIELDS = ['name', 'firstName', 'lastName', 'nationalId', 'email', 'phone', 'project', 'message'] as const;

const formSchema = z.object({
  id: z.string().regex(/^[\w-]{1,64}$/, 'solo letras, dígitos, _ y -'),
  /** Sent as header X-Form-Key or field _key. A browser form shows it: it names the form, it does not prove much. */
  key: z.string().min(8),
  /** Server-side senders may sign: X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>. */
  signingSecret: z.string().min(16).optional(),
  /** When set, unsigned posts are refused. */
  requireSignature: z.boolean().default(false),
  /** The project of every lead from this form, unless the form posts its own. */
  project: z.string().min(1).optional(),
  /** Where a plain HTML form (no JavaScript) is sent after posting (303). */
  thanksUrl: z.string().url().optional(),
  /** Sites allowed to post from a browser (CORS); a request with another Origin is refused. */
  origins: z.array(z.string().url()).default([]),
  /** Canonical field -> the form's field name; unmapped fields are found by the generic labels. */
  fields: z.partialRecord(z.enum(FORM_FIELDS), z.string().min(1)).default({}),
  /** A field hidden from people: a bot that fills it is answered as a success and nothing is stored. */
  honeypot: z.string().min(1).default('_hp'),
});

export const intakeSchema = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8081),
  /** The listener's public address, as the ad platforms and forms are given it (README, logs). */
  publicUrl: z.string().url().optional(),
  /** The reverse proxies in front (IPs or CIDR blocks): from them the client address is the X-Forwarded-For hop they added; from any other peer the header is ignored. */
  trustProxy: trustProxySchema,
  /** Form posts per client address per minute. */
  ratePerMinute: z.number().int().min(1).max(100_000).default(30),
  forms: z.array(formSchema).default([]),
  /** The project of every ad lead, unless the lead form asks for one. */
  googleAds: z.object({ key: z.string().min(8), project: z.string().min(1).optional() }).optional(),
  meta: z
    .object({
      appSecretEnv: z.string().min(1),
      verifyToken: z.string().min(8),
      pageTokenEnv: z.string().min(1),
      graphUrl: z.string().url().default('https://graph.facebook.com/v21.0'),
      project: z.string().min(1).optional(),
    })
    .optional(),
});

export type IntakeConfig = z.infer<typeof intakeSchema>;
export type FormConfig = IntakeConfig['forms'][number];
