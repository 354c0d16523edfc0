import { createApp } from '../app.ts';
import { AccountError, Accounts, publicUser } from '../auth/accounts.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';
import { cliActor } from './audit.ts';

const CLI = { userId: null, actor: cliActor(), address: null };
const USAGE = `uso:
  centralizer users add CORREO --role admin|gerente|supervisor|vendedor|atencion|atencion_supervisor [--name NOMBRE] [--vendor ID] [--team ID,ID] [--projects "P1,P2"] [--password-env VARIABLE]
  centralizer users list
  centralizer users disable CORREO | enable CORREO
  centralizer users password CORREO [--password-env VARIABLE]
  centralizer users token CORREO --label TEXTO
  centralizer users tokens CORREO
  centralizer users revoke CORREO ETIQUETA
La contraseña se lee de la entrada estándar (una línea) o de la variable que nombra --password-env; nunca de un argumento.`;

/** One line from stdin (a pipe, a file, or typed at a prompt). */
async function readPassword(ctx: CommandContext, input: NodeJS.ReadableStream): Promise<string> {
  const envName = ctx.values['password-env'];
  if (typeof envName === 'string') {
    const v = process.env[envName];
    if (v === undefined) throw new AccountError('user.password_env', `la variable de entorno ${envName} no está definida`);
    return v;
  }
  if ((input as { isTTY?: boolean }).isTTY) ctx.err.write('Contraseña: ');
  let data = '';
  for await (const chunk of input) {
    data += chunk.toString();
    if (data.includes('\n')) break;
  }
  const line = data.split(/\r?\n/)[0];
  if (!line) throw new AccountError('user.password_missing', 'falta la contraseña: escríbela en la entrada estándar (o usa --password-env VAR)');
  return line;
}

const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const date = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

/** `centralizer users …`: accounts are created and managed here (the documented way to bootstrap). */
export async function usersCommand(ctx: CommandContext): Promise<number> {
  const input = ctx.input ?? process.stdin;
  const [sub, email, extra] = ctx.args;
  if (!sub) throw new UsageError(USAGE);
  const needEmail = () => {
    if (!email) throw new UsageError(`users ${sub} needs an EMAIL\n${USAGE}`);
    return email;
  };
  const app = await createApp(ctx.config, commandLogger(ctx.config, false), { dbPath: ctx.db });
  try {
    const accounts = new Accounts(app.reads.users, app.store);
    switch (sub) {
      case 'add': {
        const role = ctx.values.role;
        if (typeof role !== 'string') throw new UsageError(`users add needs --role\n${USAGE}`);
        const target = needEmail();
        const password = await readPassword(ctx, input);
        const vendorId = typeof ctx.values.vendor === 'string' ? ctx.values.vendor : undefined;
        const u = await accounts.add({ email: target, role, name: ctx.values.name as string | undefined, vendorId, team: list(ctx.values.team), projects: list(ctx.values.projects), password }, CLI);
        ctx.out.write(`usuario ${u.email} creado (${u.role}${u.vendorId ? `, vendedor ${u.vendorId}` : ''}${u.team.length ? `, equipo ${u.team.join(',')}` : ''}${u.projects.length ? `, proyectos ${u.projects.join(', ')}` : ''})\n`);
        return 0;
      }
      case 'list': {
        for (const u of (await accounts.list()).map(publicUser)) {
          const scope = u.vendorId ?? (u.team.length ? u.team.join(',') : u.projects.length ? u.projects.join(', ') : '');
          ctx.out.write(`${u.email}\t${u.role}\t${u.name}\t${scope || '-'}\t${u.disabled ? 'desactivado' : 'activo'}\n`);
        }
        return 0;
      }
      case 'disable':
      case 'enable': {
        const u = await accounts.setDisabled(needEmail(), sub === 'disable', CLI);
        ctx.out.write(`usuario ${u.email} ${sub === 'disable' ? 'desactivado (sus sesiones abiertas se cerraron)' : 'activado'}\n`);
        return 0;
      }
      case 'password': {
        const target = needEmail();
        await accounts.setPassword(target, await readPassword(ctx, input), CLI);
        ctx.out.write(`contraseña de ${target.toLowerCase()} cambiada; sus sesiones abiertas se cerraron\n`);
        return 0;
      }
      case 'token': {
        const label = ctx.values.label;
        if (typeof label !== 'string') throw new UsageError(`users token needs --label TEXT\n${USAGE}`);
        const token = await accounts.createToken(needEmail(), label, CLI);
        // Alone on the last line, so scripts can take it with `tail -n 1`.
        ctx.out.write(`token personal de API "${label}" de ${email!.toLowerCase()} (se muestra una sola vez; envíalo como Authorization: Bearer …):\n${token}\n`);
        return 0;
      }
      case 'tokens': {
        for (const t of await accounts.tokens(needEmail())) ctx.out.write(`${t.label}\tcreado ${date(t.createdAt)}\túltimo uso ${date(t.lastUsedAt)}${t.revokedAt ? `\trevocado ${date(t.revokedAt)}` : ''}\n`);
        return 0;
      }
      case 'revoke': {
        if (!extra) throw new UsageError(`users revoke needs EMAIL LABEL\n${USAGE}`);
        await accounts.revokeToken(needEmail(), extra, CLI);
        ctx.out.write(`token "${extra}" de ${email!.toLowerCase()} revocado\n`);
        return 0;
      }
      default:
        throw new UsageError(`comando de users desconocido: "${sub}"\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof AccountError) {
      ctx.err.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    app.close();
  }
}
