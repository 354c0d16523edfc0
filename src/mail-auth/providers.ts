import type { MailAuthConfig } from './schema.ts';

// Where each provider's endpoints are and what scope each grant asks for. Every URL can be
// overridden in the mailbox's auth block.

export interface Endpoints {
  tokenUrl: string;
  authorizeUrl?: string;
  deviceAuthorizationUrl?: string;
  scope: string;
}

const MS_APP_SCOPE = 'https://outlook.office365.com/.default';
const MS_USER_SCOPE = 'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access';
const GOOGLE_SCOPE = 'https://mail.google.com/';

export function endpointsOf(a: MailAuthConfig): Endpoints {
  switch (a.provider) {
    case 'microsoft': {
      const base = `https://login.microsoftonline.com/${encodeURIComponent(a.tenantId)}/oauth2/v2.0`;
      return {
        tokenUrl: a.tokenUrl ?? `${base}/token`,
        authorizeUrl: a.authorizeUrl ?? `${base}/authorize`,
        deviceAuthorizationUrl: a.deviceAuthorizationUrl ?? `${base}/devicecode`,
        scope: a.scope ?? (a.grant === 'client_credentials' ? MS_APP_SCOPE : MS_USER_SCOPE),
      };
    }
    case 'google':
      return {
        tokenUrl: a.tokenUrl ?? 'https://oauth2.googleapis.com/token',
        authorizeUrl: a.authorizeUrl ?? 'https://accounts.google.com/o/oauth2/v2/auth',
        deviceAuthorizationUrl: a.deviceAuthorizationUrl ?? 'https://oauth2.googleapis.com/device/code',
        scope: a.scope ?? GOOGLE_SCOPE,
      };
    case 'generic':
      return { tokenUrl: a.tokenUrl, authorizeUrl: a.authorizeUrl, deviceAuthorizationUrl: a.deviceAuthorizationUrl, scope: a.scope ?? '' };
  }
}

/** What to do about a refused token request, by provider and OAuth error code. */
export function hintFor(a: MailAuthConfig, code: string, mailbox: string): string {
  const relogin = `run \`centralizer mailboxes login ${mailbox}\` again`;
  if (a.grant === 'refresh_token' && code === 'invalid_grant') return `the refresh token was revoked, expired or already used (consent withdrawn, password changed): ${relogin}`;
  if (a.provider === 'microsoft') {
    switch (code) {
      case 'invalid_client':
        return `the client secret is wrong or expired (AADSTS7000215 / 7000222): create a new one under the app registration's Certificates & secrets and put it in ${a.clientSecretEnv ?? 'clientSecretEnv'}`;
      case 'unauthorized_client':
        return 'the app is not registered or not enabled in this tenant (AADSTS700016): check tenantId and clientId, and that admin consent was granted';
      case 'invalid_request':
        return 'check tenantId (the directory id or a verified domain, AADSTS90002) and the other keys of the auth block';
      case 'invalid_scope':
        return `client credentials need scope ${MS_APP_SCOPE} (AADSTS1002012); leave scope unset`;
      case 'imap_refused':
        return 'Entra ID issued the token but Exchange refused it: grant IMAP.AccessAsApp with admin consent, register the service principal in Exchange (New-ServicePrincipal) and give it FullAccess on this mailbox (Add-MailboxPermission); check that `user` is the mailbox address';
    }
  }
  if (a.provider === 'google') {
    switch (code) {
      case 'unauthorized_client':
        return `domain-wide delegation is missing: in the Admin console (Security > API controls > Domain-wide delegation) add the service account's client id with scope ${GOOGLE_SCOPE}`;
      case 'invalid_grant':
        return 'the key was deleted or the clock is off, or the user to act as (subject) is not an active user of the Workspace domain';
      case 'invalid_client':
        return 'the service account key is not valid (deleted or disabled): create a new JSON key';
      case 'access_denied':
        return `the scope ${GOOGLE_SCOPE} is not among the delegated scopes of the service account`;
      case 'imap_refused':
        return 'Google issued the token but Gmail refused it: check that IMAP is allowed for the user (Admin console > Gmail > End User Access) and that `user` is the subject';
    }
  }
  switch (code) {
    case 'invalid_client':
      return 'the client id or secret is wrong, expired or revoked';
    case 'unauthorized_client':
      return 'the client may not use this grant type';
    case 'invalid_scope':
      return 'the scope is not allowed for this client';
    case 'imap_refused':
      return 'the token server issued a token but the IMAP server refused it: check the mailbox user and the permissions of the client';
    case 'login_required':
      return `no refresh token stored for this mailbox: run \`centralizer mailboxes login ${mailbox}\``;
  }
  return 'check the mailbox auth block against the provider';
}
