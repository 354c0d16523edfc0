import http from 'node:http';
import net from 'node:net';
import { ImapFlow } from 'imapflow';
import type { Config, MailboxConfig } from '../config.ts';
import { isMailAuthError } from '../mail-auth/errors.ts';
import { hintFor } from '../mail-auth/providers.ts';
import type { RefreshTokens } from '../mail-auth/refresh-tokens.ts';
import { accessTokenFor } from '../mail-auth/token-source.ts';
import { createTransport } from '../outbox/transport.ts';
import type { CheckResult, CheckStatus, T } from './doctor.ts';

// `centralizer doctor`'s network checks: a mailbox's IMAP login, the SMTP server, the intake port.

const IMAP_TIMEOUT_MS = 15_000;

export async function checkMailbox(m: MailboxConfig, t: T, refreshTokens: () => RefreshTokens): Promise<CheckResult> {
  const label = `${t('buzón', 'caixa')} ${m.name} (${m.user} @ ${m.host}:${m.port})`;
  const result = (status: CheckStatus, message: string, hint: string | null = null): CheckResult => ({ check: 'mailbox', target: m.name, status, message: `${label}: ${message}`, hint });
  let auth: { user: string; pass: string } | { user: string; accessToken: string } = { user: m.user, pass: m.password ?? '' };
  if (m.auth) {
    try {
      const t0 = await accessTokenFor(m.auth, { mailbox: m.name, user: m.user, refreshTokens: m.auth.grant === 'refresh_token' ? refreshTokens() : undefined }, { force: true });
      auth = { user: m.user, accessToken: t0.accessToken };
    } catch (e) {
      if (isMailAuthError(e)) return result('fail', `${t('no se obtuvo el token OAuth2', 'o token OAuth2 não foi obtido')} (${e.code}): ${e.message}`, e.hint);
      return result('fail', `${t('no se obtuvo el token OAuth2', 'o token OAuth2 não foi obtido')}: ${(e as Error).message}`, t('revise la red hacia el proveedor y el bloque auth del buzón', 'revise a rede até o provedor e o bloco auth da caixa'));
    }
  }
  const client = new ImapFlow({ host: m.host, port: m.port, secure: m.secure, tls: m.tls, auth, logger: false, connectionTimeout: IMAP_TIMEOUT_MS, greetingTimeout: IMAP_TIMEOUT_MS, socketTimeout: IMAP_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const e = err as { authenticationFailed?: boolean; responseText?: string; message?: string; code?: string };
    if (e.authenticationFailed) {
      const hint = m.auth
        ? hintFor(m.auth, 'imap_refused', m.name)
        : t(
            `revise la contraseña del buzón "${m.name}" (password o la variable de passwordEnv${m.passwordEnv ? ` ${m.passwordEnv}` : ''}); Microsoft 365 y Google Workspace necesitan auth: oauth2 (README)`,
            `revise a senha da caixa "${m.name}" (password ou a variável de passwordEnv${m.passwordEnv ? ` ${m.passwordEnv}` : ''}); Microsoft 365 e Google Workspace precisam de auth: oauth2 (README)`,
          );
      return result('fail', t(`el servidor rechazó el inicio de sesión (${e.responseText ?? 'AUTHENTICATIONFAILED'})`, `o servidor recusou o login (${e.responseText ?? 'AUTHENTICATIONFAILED'})`), hint);
    }
    return result('fail', `${t('no se pudo conectar', 'não foi possível conectar')}: ${e.code ?? ''} ${e.responseText ?? e.message ?? ''}`.trim(), t(`revise host, port y secure del buzón "${m.name}" (993 con secure: true) y que el firewall deje salir`, `revise host, port e secure da caixa "${m.name}" (993 com secure: true) e se o firewall deixa sair`));
  }
  try {
    let exists: number;
    try {
      exists = (await client.mailboxOpen(m.folder, { readOnly: true })).exists;
    } catch (err) {
      const e = err as { responseText?: string; message?: string };
      return result('fail', `${t('no se pudo abrir la carpeta', 'não foi possível abrir a pasta')} ${m.folder}: ${e.responseText ?? e.message}`, t(`revise folder del buzón "${m.name}" (distingue mayúsculas; INBOX por defecto)`, `revise folder da caixa "${m.name}" (diferencia maiúsculas; INBOX por padrão)`));
    }
    const unseen = ((await client.search({ seen: false }, { uid: true })) || []).length;
    if (m.moveTo) {
      const list = await client.list();
      if (!list.some((f) => f.path === m.moveTo)) {
        return result('fail', t(`la carpeta moveTo "${m.moveTo}" no existe`, `a pasta moveTo "${m.moveTo}" não existe`), t('créela en el cliente de correo o corrija moveTo', 'crie-a no cliente de e-mail ou corrija moveTo'));
      }
    }
    return result('ok', t(`sesión iniciada; ${m.folder} tiene ${exists} mensajes, ${unseen} sin leer`, `login feito; ${m.folder} tem ${exists} mensagens, ${unseen} não lidas`));
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export async function checkSmtp(config: Config, sendTo: string | undefined, t: T): Promise<CheckResult> {
  const smtp = config.smtp;
  if (!smtp) {
    return {
      check: 'smtp',
      target: null,
      status: sendTo ? 'fail' : 'warn',
      message: t('SMTP: no configurado; los avisos quedan en la cola (outbox)', 'SMTP: não configurado; as notificações ficam na fila (outbox)'),
      hint: t('agregue el bloque smtp (config/example.yaml) para enviar avisos', 'adicione o bloco smtp (config/example.yaml) para enviar notificações'),
    };
  }
  const where = `${smtp.host}:${smtp.port}`;
  const result = (status: CheckStatus, message: string, hint: string | null = null): CheckResult => ({ check: 'smtp', target: where, status, message: `SMTP ${where}: ${message}`, hint });
  if (!smtp.auth && smtp.user && smtp.password === undefined) {
    return result('fail', t('falta la contraseña', 'falta a senha'), smtp.passwordEnv ? t(`defina la variable de entorno ${smtp.passwordEnv} (EnvironmentFile del servicio)`, `defina a variável de ambiente ${smtp.passwordEnv} (EnvironmentFile do serviço)`) : t('agregue smtp.passwordEnv', 'adicione smtp.passwordEnv'));
  }
  const transport = createTransport(smtp);
  try {
    try {
      await transport.verify();
    } catch (err) {
      const e = err as { code?: string; message?: string; response?: string };
      if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'EOAUTH2') {
        return result('fail', `${t('rechazó el inicio de sesión de', 'recusou o login de')} ${smtp.user ?? '(sin usuario)'}: ${e.response ?? e.message}`, t('revise smtp.user y la contraseña (smtp.passwordEnv) o el bloque smtp.auth', 'revise smtp.user e a senha (smtp.passwordEnv) ou o bloco smtp.auth'));
      }
      return result('fail', `${t('no responde', 'não responde')} (${e.code ?? ''} ${e.message ?? ''})`.replace(' )', ')'), t(`revise smtp.host y smtp.port (587 con STARTTLS, 465 con secure: true) y que el firewall deje salir hacia ${where}`, `revise smtp.host e smtp.port (587 com STARTTLS, 465 com secure: true) e se o firewall deixa sair para ${where}`));
    }
    if (!sendTo) return result('ok', t('conexión e inicio de sesión correctos', 'conexão e login corretos'));
    try {
      const info = await transport.sendMail({
        from: smtp.from,
        to: sendTo,
        subject: t('Prueba de centralizer doctor', 'Teste do centralizer doctor'),
        text: t(`Mensaje de prueba enviado por centralizer doctor el ${new Date().toISOString()}. Si lo recibe, los avisos por correo funcionan.\n`, `Mensagem de teste enviada pelo centralizer doctor em ${new Date().toISOString()}. Se a recebeu, as notificações por e-mail funcionam.\n`),
      });
      return result('ok', t(`mensaje de prueba aceptado para ${sendTo} (${info.response ?? ''})`, `mensagem de teste aceita para ${sendTo} (${info.response ?? ''})`));
    } catch (err) {
      const e = err as { message?: string; response?: string };
      return result('fail', `${t('rechazó el mensaje de prueba', 'recusou a mensagem de teste')}: ${e.response ?? e.message}`, t('revise smtp.from (el servidor puede exigir que sea la cuenta de smtp.user) y la dirección de --send-to', 'revise smtp.from (o servidor pode exigir a conta de smtp.user) e o endereço de --send-to'));
    }
  } finally {
    transport.close();
  }
}

/** The intake port is either free (the daemon will open it) or already answered by an HTTP server (the daemon's). */
export async function checkIntake(host: string, port: number, t: T): Promise<CheckResult> {
  const where = `${host}:${port}`;
  const result = (status: CheckStatus, message: string, hint: string | null = null): CheckResult => ({ check: 'intake', target: where, status, message: `intake ${where}: ${message}`, hint });
  if (port === 0) return result('ok', t('puerto elegido al iniciar (port: 0)', 'porta escolhida ao iniciar (port: 0)'));
  const bind = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e) => resolve(e));
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
  if (!bind) return result('ok', t('puerto libre; centralizer run lo abrirá', 'porta livre; centralizer run a abrirá'));
  if (bind.code === 'EACCES') return result('fail', t('sin permiso para usar el puerto', 'sem permissão para usar a porta'), t('use un puerto sobre 1024 detrás del proxy TLS', 'use uma porta acima de 1024 atrás do proxy TLS'));
  if (bind.code === 'EADDRNOTAVAIL') return result('fail', t('la dirección no es de esta máquina', 'o endereço não é desta máquina'), t('revise intake.host (0.0.0.0 o una IP local)', 'revise intake.host (0.0.0.0 ou um IP local)'));
  if (bind.code !== 'EADDRINUSE') return result('fail', `${bind.code ?? ''} ${bind.message}`.trim(), t('revise intake.host e intake.port', 'revise intake.host e intake.port'));
  const answers = await new Promise<boolean>((resolve) => {
    const req = http.get({ host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port, path: '/intake/health', timeout: 3000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
  return answers
    ? result('ok', t('en uso y responde por HTTP (el daemon ya escucha)', 'em uso e responde por HTTP (o daemon já escuta)'))
    : result('fail', t('otro programa ocupa el puerto y no responde por HTTP', 'outro programa ocupa a porta e não responde por HTTP'), t('libere el puerto o cambie intake.port', 'libere a porta ou mude intake.port'));
}
