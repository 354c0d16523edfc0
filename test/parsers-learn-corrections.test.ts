// Learning from corrections, end to end on both engines: a portal's parser reads the portal's own
// landline as the client's phone; people correct two leads through the API (the lead edit and the
// client's ficha); `parsers learn --from-corrections` proposes the rule that reads each email's own
// mobile, shows what it changes on the stored emails, and writes it only with --apply.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from './helpers/db-rows.ts';
import { noPostgres } from './helpers/tools.ts';
import { runCli } from './helpers/cli.ts';
import { formEmail, rut, startHarness, type Harness } from './http-fixture.ts';
import { parseConfig } from '../src/config.ts';
import { loadParsers } from '../src/parsers/load.ts';
import { latestCorrections, locateAcross } from '../src/parsers/learn-corrections.ts';
import { MailView } from '../src/pipeline/extract.ts';
import { runPipeline } from '../src/pipeline/index.ts';
import { parseMime } from '../src/pipeline/mime.ts';
import { buildProjectIndex } from '../src/pipeline/project.ts';

const PARSER = `id: corredora-sur
name: Corredora Sur
medium: portales
match:
  from: [corredorasur.cl]
fields:
  name:
    label: Nombre
  nationalId:
    label: RUT
  email:
    label: Correo
  # Wrong on purpose: "Teléfono" is the portal's own landline in the footer.
  phone:
    label: Teléfono
  project:
    label: Proyecto
`;
const LANDLINE = '+56 2 2345 6789';

interface Lead { name: string; rut?: string; email: string; mobile: string }
const PEOPLE: Lead[] = [
  { name: 'Camila Rojas Soto', rut: rut(15_432_876), email: 'camila.rojas@gmail.com', mobile: '+56 9 8765 4321' },
  { name: 'Jorge Muñoz Pérez', email: 'jorge.munoz@hotmail.com', mobile: '+56 9 7654 3210' },
  { name: 'Valentina Díaz Lagos', rut: rut(18_765_432), email: 'vale.diaz@yahoo.com', mobile: '+56 9 6543 2109' },
  { name: 'Tomás Reyes Vidal', rut: rut(12_345_678), email: 'tomas.reyes@gmail.com', mobile: '+56 9 5432 1098' },
];

let seq = 0;
/** The portal's notification: the client's data, their mobile under "Celular", the portal's landline in the footer. */
function portalEmail(p: Lead): Buffer {
  return Buffer.from(
    [
      'From: Corredora Sur <avisos@corredorasur.cl>',
      'To: ventas@inmobiliaria-prueba.cl',
      'Subject: Nuevo interesado en Parque Los Robles',
      `Message-ID: <cs-${process.pid}-${++seq}-${Date.now()}@corredorasur.cl>`,
      `Date: ${new Date(Date.now() - 3_600_000 + seq * 1000).toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Un interesado dejó sus datos en Corredora Sur.',
      '',
      `Nombre: ${p.name}`,
      ...(p.rut ? [`RUT: ${p.rut}`] : []),
      `Correo: ${p.email}`,
      `Celular: ${p.mobile}`,
      'Proyecto: Parque Los Robles',
      'Mensaje: Quisiera agendar una visita al piloto',
      '',
      '--',
      'Corredora Sur, Av. Apoquindo 1234, Las Condes',
      `Teléfono: ${LANDLINE}`,
      '',
    ].join('\r\n'),
  );
}

const digits = (s: string) => s.replace(/\D/g, '');

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && noPostgres())(`parsers learn --from-corrections (${engine})`, () => {
    let h: Harness;
    let dir: string;
    let cfg: string;
    let parserFile: string;
    const leadIds: number[] = [];

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-corr-'));
      fs.cpSync('parsers', path.join(dir, 'parsers'), { recursive: true });
      parserFile = path.join(dir, 'parsers', 'corredora-sur.yaml');
      fs.writeFileSync(parserFile, PARSER);
      h = await startHarness({ engine, parsersDir: path.join(dir, 'parsers'), logLevel: 'silent' });
      for (const p of PEOPLE.slice(0, 3)) leadIds.push((await h.app.ingestor.ingest(portalEmail(p), { source: 'file' })).leadId!);
      // Another sender's email: not the parser's, never in its diff.
      await h.app.ingestor.ingest(formEmail({ name: 'Otra Persona Ajena', rut: rut(11_111_111), email: 'otra@gmail.com', phone: '+56 9 1111 2222', project: 'Mirador del Valle' }), { source: 'file' });
      const url = h.app.config.database.url;
      cfg = path.join(dir, 'c.yaml');
      fs.writeFileSync(cfg, [
        'country: CL',
        `parsersDir: ${JSON.stringify(path.join(dir, 'parsers'))}`,
        'projects:',
        '  - name: Parque Los Robles',
        '    aliases: [PLR]',
        '  - name: Mirador del Valle',
        ...(engine === 'postgres' && url ? ['database:', `  url: ${url}`] : []),
      ].join('\n'));
    }, 60_000);
    afterAll(async () => {
      await h?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const cli = (args: string[]) => runCli(['parsers', 'learn', ...args, '--config', cfg, ...(engine === 'sqlite' ? ['--db', h.dbPath] : [])]);

    it('the parser reads the landline, and with no correction yet there is nothing to learn', async () => {
      const stored = await rows(h.app, 'SELECT phone, quality FROM leads WHERE parser = ? ORDER BY id', ['corredora-sur']);
      expect(stored.map((r) => digits(r.phone))).toEqual(['56223456789', '56223456789', '56223456789']);
      const r = await cli(['--from-corrections', 'corredora-sur']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no hay correcciones de leads de corredora-sur');
      expect(fs.readFileSync(parserFile, 'utf8')).toBe(PARSER);
    });

    it('stores each correction with what the pipeline had read, through the lead edit and the ficha', async () => {
      // Jorge's lead has no RUT (con_problemas): its phone is corrected on the lead.
      const edit = await h.post(`/api/leads/${leadIds[1]}/edit`, { phone: PEOPLE[1].mobile });
      expect(edit.status, await edit.clone().text()).toBe(200);
      // Camila's lead is bueno: its phone is corrected in her client's ficha, which passes it to the lead.
      const [lead] = await rows(h.app, 'SELECT client_id FROM leads WHERE id = ?', [leadIds[0]]);
      expect(lead.client_id).not.toBeNull();
      const ficha = await h.post(`/api/clients/${lead.client_id}/edit`, { phone: PEOPLE[0].mobile });
      expect(ficha.status, await ficha.clone().text()).toBe(200);
      const actions = await rows(h.app, "SELECT lead_id, data FROM actions WHERE action = 'edit' ORDER BY id");
      const byLead = new Map(actions.map((a) => [a.lead_id, JSON.parse(a.data)]));
      expect(byLead.get(leadIds[1]).corrections.phone).toEqual({ from: LANDLINE, to: PEOPLE[1].mobile });
      expect(byLead.get(leadIds[0]).via).toBe('ficha');
      expect(digits(byLead.get(leadIds[0]).corrections.phone.from)).toBe('56223456789');
      expect(digits(byLead.get(leadIds[0]).corrections.phone.to)).toBe('56987654321');
      // Reachable from the email: the read port's corrections of the parser carry the raw email.
      const read = await h.app.reads.corrections.ofParser('corredora-sur');
      const raws = await rows(h.app, 'SELECT id, raw_email_id FROM leads WHERE id IN (?, ?) ORDER BY id', [leadIds[0], leadIds[1]]);
      expect(read.map((r) => r.rawEmailId).sort()).toEqual(raws.map((r) => r.raw_email_id).sort());
      expect(await h.app.reads.corrections.ofParser('toctoc')).toEqual([]);
    });

    it('proposes the rule that reads each email\'s own mobile, with its diff on the stored emails; writes only with --apply', async () => {
      const dry = await cli(['--from-corrections', 'corredora-sur']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('2 correos corregidos de corredora-sur; campos corregidos: phone');
      expect(dry.stdout).toMatch(/@@ fields\.phone @@\n-  phone:\n-    label: Teléfono\n\+  phone:\n\+    label: Celular\n/);
      // All three stored emails of the parser change their phone, the unseen (uncorrected) one too; the other sender's does not count.
      expect(dry.stdout).toContain('en los correos guardados: 3 de 3 correos de corredora-sur cambian (phone 3)');
      const lines = [...dry.stdout.matchAll(/^ {2}correo \d+ phone: "(.*)" -> "(.*)"$/gm)];
      expect(lines.map((l) => digits(l[2]))).toEqual(PEOPLE.slice(0, 3).map((p) => digits(p.mobile)));
      expect(lines.map((l) => digits(l[1]))).toEqual(['56223456789', '56223456789', '56223456789']);
      expect(dry.stdout).toContain('nada escrito');
      expect(dry.stderr).toMatch(/correos guardados \d+\/\d+/);
      expect(dry.stderr).toContain('correos corregidos leídos 2/2');
      expect(fs.readFileSync(parserFile, 'utf8')).toBe(PARSER);

      const applied = await cli(['--from-corrections', 'corredora-sur', '--apply']);
      expect(applied.code, applied.stderr).toBe(0);
      const yaml = fs.readFileSync(parserFile, 'utf8');
      expect(yaml).toContain('label: Celular');
      expect(yaml).toContain('# Wrong on purpose'); // the file's comments are kept
      for (const p of PEOPLE) expect(digits(yaml)).not.toContain(digits(p.mobile).slice(-8));
      // A fourth person's email, never stored nor corrected: read right by the written parser.
      const parsers = loadParsers(path.join(dir, 'parsers'));
      const o = await runPipeline(portalEmail(PEOPLE[3]), { parsers, projects: buildProjectIndex(h.app.config.projects, h.app.config.mailboxes), country: 'CL', limits: h.app.config.limits });
      expect(o.kind === 'lead' && o.parser).toBe('corredora-sur');
      expect(o.kind === 'lead' && digits(o.fields.phone ?? '')).toBe('56954321098');
      fs.writeFileSync(parserFile, PARSER);
    }, 60_000);

    it('refuses, with the reason, when the only rule that reads the corrected value is keyed on the lead\'s name', async () => {
      const file = path.join(dir, 'parsers', 'avisos-norte.yaml');
      const parser = 'id: avisos-norte\nname: Avisos Norte\nmedium: portales\nmatch:\n  from: [avisosnorte.cl]\nfields:\n  name:\n    label: Interesado\n  phone:\n    label: Fono\n';
      fs.writeFileSync(file, parser);
      await h.app.reload({});
      // The mobile is written only after the person's name, with no label of its own.
      const raw = Buffer.from(['From: Avisos Norte <avisos@avisosnorte.cl>', 'To: ventas@inmobiliaria-prueba.cl', 'Subject: Nuevo aviso', `Message-ID: <an-${process.pid}-${Date.now()}@avisosnorte.cl>`, `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '',
        'Aviso 20241 de la semana, con los datos de contacto', 'Interesado: Pedro Soto Lara', 'Pedro Soto Lara +56 9 4444 5555', 'Proyecto: Parque Los Robles', '--', `Fono: ${LANDLINE}`, ''].join('\r\n'));
      const r = await h.app.ingestor.ingest(raw, { source: 'file' });
      const [lead] = await rows(h.app, 'SELECT parser, phone FROM leads WHERE id = ?', [r.leadId]);
      expect(lead).toMatchObject({ parser: 'avisos-norte' });
      expect(digits(lead.phone)).toBe('56223456789');
      const edit = await h.post(`/api/leads/${r.leadId}/edit`, { phone: '+56 9 4444 5555' });
      expect(edit.status, await edit.clone().text()).toBe(200);
      const out = await cli(['--from-corrections', 'avisos-norte', '--apply']);
      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(/rechazado para phone: .*Pedro.*contains the sample's name \(correo 1\) "Pedro Soto Lara": a rule must read the layout, never a value/);
      expect(out.stderr).toContain('la única encontrada contiene el valor de un correo');
      expect(fs.readFileSync(file, 'utf8')).toBe(parser);
    }, 60_000);
  });
}

describe('locateAcross: never a rule keyed on a corrected value', () => {
  it('refuses, with the reason, the only rule it finds when that rule contains a sample\'s value', async () => {
    // The mobile is written only right after the name, with no label: the only anchor is the name.
    const raw = Buffer.from(['From: x@corredorasur.cl', 'Subject: aviso', 'Content-Type: text/plain; charset=utf-8', '', 'Aviso 20241 de la semana, con los datos de contacto', 'Camila Rojas +56 9 8765 4321', ''].join('\r\n'));
    const view = new MailView(await parseMime(raw, parseConfig('country: CL', 'test', {}).limits));
    const rule = locateAcross([{ view, known: { name: 'Camila Rojas', phone: '+56 9 8765 4321' } }], 'phone', 'CL', buildProjectIndex([], []));
    expect(rule.ex).toBeNull();
    expect(rule.refused.join('\n')).toMatch(/contains the sample's name \(correo 1\) "Camila Rojas": a rule must read the layout, never a value/);
  });

  it('the latest correction of a field wins; a digest\'s other people and a cleared field teach nothing', () => {
    const data = (phone: string | null) => JSON.stringify({ changed: ['phone'], corrections: { phone: { from: 'x', to: phone } } });
    const { emails, skipped } = latestCorrections([
      { rawEmailId: 1, partIndex: 0, data: data('+56 9 1111 1111') },
      { rawEmailId: 1, partIndex: 0, data: data('+56 9 2222 2222') },
      { rawEmailId: 2, partIndex: 1, data: data('+56 9 3333 3333') },
      { rawEmailId: 3, partIndex: 0, data: data(null) },
    ]);
    expect(skipped).toBe(1);
    expect(emails).toEqual([{ rawEmailId: 1, values: { phone: '+56 9 2222 2222' }, extracted: { phone: 'x' }, lead: {} }]);
  });
});
