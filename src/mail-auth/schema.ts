import { z } from 'zod';

// The `auth` block of a mailbox: OAuth2 (XOAUTH2 over IMAP, and SMTP later) beside password auth.
// Secrets are named by environment variable (`clientSecretEnv`, `keyFileEnv`) and resolved once at
// config load, like `passwordEnv`; `${VAR}` substitution in the file also works.

const url = z.string().url();
const secret = { clientSecret: z.string().min(1).optional(), clientSecretEnv: z.string().min(1).optional() };
/** Overrides for the provider's endpoints (tests point them at a local server). */
const endpoints = { tokenUrl: url.optional(), authorizeUrl: url.optional(), deviceAuthorizationUrl: url.optional(), scope: z.string().min(1).optional() };

const microsoft = z.object({
  type: z.literal('oauth2'),
  provider: z.literal('microsoft'),
  tenantId: z.string().min(1),
  clientId: z.string().min(1),
  /** client_credentials: app-only access (IMAP.AccessAsApp); refresh_token: one person's mailbox, after `mailboxes login`. */
  grant: z.enum(['client_credentials', 'refresh_token']).default('client_credentials'),
  ...secret,
  ...endpoints,
});

const google = z.object({
  type: z.literal('oauth2'),
  provider: z.literal('google'),
  /** service_account: JWT bearer grant with domain-wide delegation; refresh_token: after `mailboxes login`. */
  grant: z.enum(['service_account', 'refresh_token']).default('service_account'),
  /** Environment variable holding the path of the service account's JSON key file. */
  keyFileEnv: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  /** The Workspace user to act as (`sub`); defaults to the mailbox's `user`. */
  subject: z.string().min(1).optional(),
  clientId: z.string().min(1).optional(),
  ...secret,
  ...endpoints,
});

const generic = z.object({
  type: z.literal('oauth2'),
  provider: z.literal('generic'),
  tokenUrl: url,
  clientId: z.string().min(1),
  grant: z.enum(['client_credentials', 'refresh_token']).default('client_credentials'),
  /** How the client authenticates at the token endpoint (RFC 6749 2.3.1). */
  clientAuth: z.enum(['post', 'basic']).default('post'),
  ...secret,
  authorizeUrl: url.optional(),
  deviceAuthorizationUrl: url.optional(),
  scope: z.string().min(1).optional(),
});

export const mailAuthSchema = z.discriminatedUnion('provider', [microsoft, google, generic]);
export type MailAuthConfig = z.infer<typeof mailAuthSchema>;

/** Whether the mailbox needs a refresh token stored by `centralizer mailboxes login`. */
export const usesRefreshToken = (a: MailAuthConfig) => a.grant === 'refresh_token';

/**
 * Resolves `clientSecretEnv` and `keyFileEnv` from the environment and checks that each grant has
 * what it needs. Returns error messages relative to the auth block (config.ts adds file and path).
 */
export function resolveAuthSecrets(a: MailAuthConfig, env: NodeJS.ProcessEnv): string[] {
  const errors: string[] = [];
  const fromEnv = (key: string, name: string | undefined): string | undefined => {
    if (!name) return undefined;
    const v = env[name];
    if (v === undefined || v === '') errors.push(`${key}: la variable de entorno ${name} no está definida`);
    return v || undefined;
  };
  a.clientSecret ??= fromEnv('clientSecretEnv', a.clientSecretEnv);
  if (a.provider === 'google') {
    a.keyFile ??= fromEnv('keyFileEnv', a.keyFileEnv);
    if (a.grant === 'service_account' && !a.keyFile && !a.keyFileEnv) errors.push('keyFileEnv: el grant service_account necesita el archivo de clave (keyFileEnv o keyFile)');
    if (a.grant === 'refresh_token' && !a.clientId) errors.push('clientId: el grant refresh_token necesita el client id de OAuth');
  } else if (a.grant === 'client_credentials' && !a.clientSecret && !a.clientSecretEnv) {
    errors.push('clientSecretEnv: el grant client_credentials necesita el client secret (clientSecretEnv o clientSecret)');
  }
  return errors;
}
