// `centralizer cases list`: the desk's cases from the command line, with the list's filters, as a
// Spanish table or one JSON object per case (--json). The operator of the machine sees every case.
import { DateTime } from 'luxon';
import { createApp } from '../app.ts';
import { CASE_CATEGORIES, CASE_STATUSES } from '../case-vocabulary.ts';
import { CASE_WORDS, caseView } from '../cases/view.ts';
import { FULL_SCOPE } from '../db/scope.ts';
import type { DeskFilter } from '../db/case-desk-sql.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';

const words = (value: unknown, allowed: readonly string[], flag: string): string[] | undefined => {
  if (typeof value !== 'string') return undefined;
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.find((p) => !allowed.includes(p));
  if (bad) throw new UsageError(`--${flag}: "${bad}" no es válido (${allowed.join(', ')})`);
  return parts;
};

/** A date (the start of that day in the company's zone) or a date-time. */
function day(value: unknown, flag: string, zone: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = DateTime.fromISO(value, { zone });
  if (!t.isValid) throw new UsageError(`--${flag}: "${value}" no es una fecha (AAAA-MM-DD)`);
  return t.toMillis();
}

const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

export async function casesCommand(ctx: CommandContext): Promise<number> {
  const [sub] = ctx.args;
  if (sub !== 'list') throw new UsageError('uso: centralizer cases list [--status S,S] [--category C,C] [--project NOMBRE] [--since FECHA] [--before FECHA] [--breached] [--json]');
  const v = ctx.values;
  const json = v.json === true;
  const f: DeskFilter = { status: words(v.status, CASE_STATUSES, 'status') as DeskFilter['status'], category: words(v.category, CASE_CATEGORIES, 'category') as DeskFilter['category'] };
  f.from = day(v.since, 'since', ctx.config.timezone);
  f.to = day(v.before, 'before', ctx.config.timezone);
  if (v.breached === true) f.breached = true;
  const app = await createApp(ctx.config, commandLogger(ctx.config, json), { dbPath: ctx.db });
  try {
    if (typeof v.project === 'string') {
      const id = app.store.projectId(v.project);
      if (id === null) {
        ctx.err.write(`proyecto desconocido: "${v.project}"\n`);
        return 1;
      }
      f.projectId = [id];
    }
    const now = Date.now();
    const rows = await app.reads.caseDesk.all(f, FULL_SCOPE, now);
    const views = rows.map((r) => caseView(ctx.config.cases, ctx.config.timezone, r, now));
    if (json) {
      for (const c of views) ctx.out.write(`${JSON.stringify(c)}\n`);
      return 0;
    }
    const when = (s: string | null) => (s ? new Intl.DateTimeFormat('es-CL', { timeZone: ctx.config.timezone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' }).format(new Date(s)) : '-');
    ctx.out.write(`${pad('Caso', 6)} ${pad('Categoría', 11)} ${pad('Estado', 22)} ${pad('Proyecto', 20)} ${pad('Responsable', 18)} ${pad('Ingreso', 17)} ${pad('Vence 1ª resp.', 17)} ${pad('Vence resolución', 17)} Vencido\n`);
    for (const c of views) {
      const late = c.breached.firstResponse || c.breached.resolution;
      ctx.out.write(`${pad(String(c.number), 6)} ${pad(CASE_WORDS[c.category] ?? c.category, 11)} ${pad(CASE_WORDS[c.status] ?? c.status, 22)} ${pad(c.project ?? c.projectText ?? '-', 20)} ${pad(c.responsible?.name ?? '(sin responsable)', 18)} ${pad(when(c.createdAt), 17)} ${pad(when(c.due.firstResponse), 17)} ${pad(c.paused ? 'en pausa' : when(c.due.resolution), 17)} ${late ? 'SÍ' : 'no'}\n`);
    }
    ctx.out.write(`${views.length} ${views.length === 1 ? 'caso' : 'casos'}\n`);
    return 0;
  } finally {
    await app.close();
  }
}
