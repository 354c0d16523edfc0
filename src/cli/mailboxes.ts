import { ImapFlow } from 'imapflow';
import { createApp } from '../app.ts';
import type { MailboxConfig } from '../config.ts';
import { MailboxTokenStore } from '../db/mailbox-tokens.ts';
import { isMailAuthError, MailAuthError } from '../mail-auth/errors.ts';
import { loginWithBrowser, loginWithDevice, signedInAs } from '../mail-auth/login.ts';
import { hintFor } from '../mail-auth/providers.ts';
import { encryptedRefreshTokens } from '../mail-auth/refresh-tokens.ts';
import { secretKeyFromEnv } from '../mail-auth/secret-box.ts';
import { accessTokenFor } from '../mail-auth/token-source.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';

const USAGE = `uso:
  centralizer mailboxes list                       cada buzón, cómo inicia sesión y su acceso guardado
  centralizer mailboxes login NOMBRE [--device] [--port N]
                                                   inicio de sesión de un buzón con refresh_token: un
                                                   navegador en esta máquina (redirección a
                                                   http://127.0.0.1:N/callback, PKCE), o --device para
                                                   ingresar un código desde cualquier dispositivo
  centralizer mailboxes logout NOMBRE              olvida el refresh token guardado
  centralizer mailboxes test NOMBRE                obtiene un token e inicia sesión IMAP una vez, con una
                                                   pista si falla
Los refresh tokens se guardan cifrados con CENTRALIZER_SECRET_KEY (el daemon necesita el mismo valor).`;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** `centralizer mailboxes …`: OAuth2 sign-in and checks of the configured mailboxes. */
export async function mailboxesCommand(ctx: CommandContext): Promise<number> {
  const [sub, name] = ctx.args;
  if (!sub) throw new UsageError(USAGE);
  const mailbox = (): MailboxConfig => {
    if (!name) throw new UsageError(`mailboxes ${sub} needs a mailbox NAME\n${USAGE}`);
    const m = ctx.config.mailboxes.find((x) => x.name === name);
    if (!m) throw new UsageError(`no mailbox named "${name}" in the configuration (${ctx.config.mailboxes.map((x) => x.name).join(', ') || 'none configured'})`);
    return m;
  };
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    const stored = new MailboxTokenStore(app.store);
    switch (sub) {
      case 'list': {
        for (const m of ctx.config.mailboxes) {
          const a = m.auth;
          const row = await stored.get(m.name);
          const how = a ? `oauth2 ${a.provider} ${a.grant}` : 'contraseña';
          const state = a?.grant !== 'refresh_token' ? '-' : row ? `sesión iniciada ${day(row.updatedAt)}${row.account ? ` como ${row.account}` : ''}` : 'sin sesión: ejecuta `mailboxes login`';
          ctx.out.write(`${m.name}\t${m.user}\t${how}\t${state}\n`);
        }
        return 0;
      }
      case 'login': {
        const m = mailbox();
        if (m.auth?.grant !== 'refresh_token') throw new UsageError(`mailbox ${m.name} does not use the refresh_token grant (auth.grant: refresh_token); nothing to sign in`);
        secretKeyFromEnv(); // before the browser, not after: a sign-in that cannot be saved is wasted
        const port = ctx.values.port === undefined ? 0 : Number(ctx.values.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number');
        const opts = { mailbox: m.name, user: m.user, port, say: (line: string) => ctx.err.write(`${line}\n`) };
        const res = ctx.values.device ? await loginWithDevice(m.auth, opts) : await loginWithBrowser(m.auth, opts);
        const account = signedInAs(res);
        await encryptedRefreshTokens(app.store).save(m.name, m.auth.provider, res.refresh_token!, account ?? m.user);
        ctx.out.write(`buzón ${m.name}: sesión iniciada${account ? ` como ${account}` : ''}; refresh token guardado cifrado\n`);
        return 0;
      }
      case 'logout': {
        const m = mailbox();
        ctx.out.write((await stored.delete(m.name)) ? `buzón ${m.name}: refresh token guardado eliminado\n` : `buzón ${m.name}: no hay refresh token guardado\n`);
        return 0;
      }
      case 'test':
        return await testLogin(ctx, mailbox(), app.store);
      default:
        throw new UsageError(`comando de mailboxes desconocido: "${sub}"\n${USAGE}`);
    }
  } catch (e) {
    if (isMailAuthError(e)) {
      ctx.err.write(`error: ${e.message}\nhint: ${e.hint}\n`);
      return 1;
    }
    throw e;
  } finally {
    app.close();
  }
}

/** One token and one IMAP login, reported in words: the check each README step ends with. */
async function testLogin(ctx: CommandContext, m: MailboxConfig, conn: Parameters<typeof encryptedRefreshTokens>[0]): Promise<number> {
  let auth: { user: string; pass: string } | { user: string; accessToken: string } = { user: m.user, pass: m.password ?? '' };
  if (m.auth) {
    const refreshTokens = m.auth.grant === 'refresh_token' ? encryptedRefreshTokens(conn) : undefined;
    const t = await accessTokenFor(m.auth, { mailbox: m.name, user: m.user, refreshTokens }, { force: true });
    ctx.out.write(`token: obtenido, válido hasta ${day(t.expiresAt)} UTC\n`);
    auth = { user: m.user, accessToken: t.accessToken };
  }
  const client = new ImapFlow({ host: m.host, port: m.port, secure: m.secure, tls: m.tls, auth, logger: false, connectionTimeout: 30_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const box = await client.mailboxOpen(m.folder, { readOnly: true });
    ctx.out.write(`imap: sesión iniciada como ${m.user}; ${m.folder} tiene ${box.exists} ${box.exists === 1 ? 'mensaje' : 'mensajes'}\n`);
    await client.logout();
    return 0;
  } catch (err) {
    client.close();
    const e = err as { authenticationFailed?: boolean; responseText?: string; message?: string };
    if (!e.authenticationFailed) throw new MailAuthError('imap_error', `imap: ${e.responseText ?? e.message}`, 'check host, port and secure', false);
    throw new MailAuthError('imap_refused', `imap: the server refused the login of ${m.user}`, m.auth ? hintFor(m.auth, 'imap_refused', m.name) : 'check the password (Microsoft 365 and Google Workspace need auth: oauth2)');
  }
}
