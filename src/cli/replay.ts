import fs from 'node:fs';
import { createApp } from '../app.ts';
import { portalDisplayName, problemText } from '../leads/display.ts';
import { emailSummary, type EmailSummary } from '../leads/summary.ts';
import { langOf } from '../outbox/templates.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';
import { collectEmailFiles, progress } from './files.ts';

interface ReplayLine extends Omit<EmailSummary, 'followUpAt' | 'ownerVendorId'> {
  file: string;
  duplicate: boolean;
  followUpAt: string | null;
  owner: string | null;
}

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

/** `centralizer replay`: .eml files through the exact production pipeline. */
export async function replayCommand(ctx: CommandContext): Promise<number> {
  if (!ctx.args.length) throw new UsageError('replay needs at least one file or directory');
  const { files, missing } = collectEmailFiles(ctx.args);
  const json = Boolean(ctx.values.json);
  const dryRun = Boolean(ctx.values['dry-run']);
  const app = await createApp(ctx.config, commandLogger(ctx.config, json), { dbPath: dryRun ? ':memory:' : ctx.db, notify: Boolean(ctx.values.notify) && !dryRun });
  const counts: Record<string, number> = {};
  let leads = 0;
  const bar = progress(files.length, ctx.err);
  const rows: string[][] = [];
  for (const file of missing) ctx.err.write(`${file}: no existe\n`);
  // People read portal names and problem texts; --json keeps the ids and codes for programs.
  const lang = langOf(ctx.config.country);
  const portal = (id: string | null) => portalDisplayName(id, (p) => app.context().parsers.find((x) => x.config.id === p)?.config.name, lang);
  try {
    for (const [i, file] of files.entries()) {
      let line: ReplayLine;
      try {
        const raw = fs.readFileSync(file);
        const result = await app.ingestor.ingest(raw, { source: 'file', file });
        const { ownerVendorId, ...s } = (await app.store.read((r) => emailSummary(r, result.rawEmailId)))!;
        line = { file, ...s, owner: ownerVendorId, duplicate: result.duplicate, followUpAt: iso(s.followUpAt) };
      } catch (e) {
        const error = (e as Error).message;
        line = { file, messageId: null, status: 'error', parser: null, quality: null, ignored: null, error, duplicate: false, fields: { name: null, nationalId: null, email: null, phone: null, project: null, message: null }, problems: [], leadId: null, clientId: null, followUpAt: null, contactType: null, owner: null, case: null, people: 0, qualities: [] };
      }
      // A digest counts each of its people under its own quality.
      const keys = line.duplicate ? ['duplicate'] : line.qualities.length ? line.qualities : [line.quality ?? (line.ignored ? 'ignored' : line.status)];
      for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
      leads += line.duplicate ? 0 : line.qualities.length;
      if (json) ctx.out.write(`${JSON.stringify(line)}\n`);
      else rows.push([file, (line.duplicate ? 'duplicado' : line.quality ?? line.ignored ?? line.status) + (line.people > 1 ? ` (${line.people} ${lang === 'pt' ? 'pessoas' : 'personas'})` : ''), portal(line.parser), line.problems.map((c) => problemText(c, ctx.config.country, lang)).join(', ') || (line.error ?? '')]);
      bar.tick(i + 1);
    }
  } finally {
    app.close();
  }
  if (!json) {
    const widths = [0, 1, 2].map((c) => Math.min(60, Math.max(...rows.map((r) => r[c].length), 6)));
    for (const r of rows) ctx.out.write(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}\n`);
    const pt = lang === 'pt';
    const emails = `${files.length} ${files.length === 1 ? (pt ? 'e-mail' : 'correo') : pt ? 'e-mails' : 'correos'}`;
    const made = leads !== files.length ? `, ${leads} ${leads === 1 ? 'lead' : 'leads'}` : '';
    const byKind = Object.entries(counts).map(([k, v]) => `${v} ${k === 'duplicate' ? 'duplicado' : k}`).join(', ') || (pt ? 'nenhum' : 'ninguno');
    ctx.out.write(`\n${emails}${made}: ${byKind}${dryRun ? (pt ? ' (simulação, nada foi salvo)' : ' (simulación, no se guardó nada)') : ''}\n`);
  }
  return missing.length && !files.length ? 1 : 0;
}
