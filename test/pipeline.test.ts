import { describe, expect, it } from 'vitest';
import { runPipeline, type LeadOutcome } from '../src/pipeline/index.ts';
import { htmlToText, textLines, fold } from '../src/pipeline/text.ts';
import { fieldForLabel, isLabelText, labelledPairs } from '../src/pipeline/labels.ts';
import { buildProjectIndex, matchProject } from '../src/pipeline/project.ts';
import { classify } from '../src/pipeline/classify.ts';
import { normalizeFields } from '../src/pipeline/normalize.ts';
import { problemText } from '../src/leads/display.ts';
import { parseParserFile } from '../src/parsers/load.ts';
import { compilePattern, patternProblem } from '../src/parsers/schema.ts';
import { LinearRegex, MAX_INSTRUCTIONS } from '../src/parsers/regex-guard.ts';
import { quickHeaders } from '../src/pipeline/quick-headers.ts';
import { MailView } from '../src/pipeline/view.ts';
import { bodyMarkerIn } from '../src/pipeline/choose-parser.ts';
import type { ParsedEmail } from '../src/pipeline/mime.ts';
import { formEmail, PROJECTS, rut, testContext } from './helpers/mail.ts';

const lead = async (raw: Buffer, parsers = testContext().parsers) => {
  const o = await runPipeline(raw, testContext(parsers));
  expect(o.kind).toBe('lead');
  return o as LeadOutcome;
};

describe('text stage', () => {
  it('keeps table structure as tab-separated lines and decodes entities and NBSP', () => {
    const text = htmlToText('<table><tr><td>Nombre:</td><td>Jos&eacute;&nbsp;P&eacute;rez</td></tr><tr><th>RUT</th><td>1-9</td></tr></table><p>Fin</p>');
    expect(textLines(text)).toEqual(['Nombre:\tJosé Pérez', 'RUT\t1-9', '', 'Fin']);
  });
  it('drops comments and hidden elements in any case, and keeps a Word cell one cell', () => {
    expect(htmlToText('<!-- a <b>x</b> -->Hola<SCRIPT type=x>y()</script ><Title>t</TITLE><div>Chao</div>')).toBe('Hola\nChao');
    expect(htmlToText('<table><tr><td> <p class=MsoNormal>Nombre</p> </td><TD><P>Ana</P ></TD></tr></table>')).toBe('Nombre\tAna');
    expect(htmlToText('<td><p><p>x</p></p></td>')).toBe('x');
    expect(htmlToText('<p>Hola<style>p{}')).toBe('Hola'); // an unclosed span removes the rest
  });
  it('drops scripts, styles and quoted-reply markers', () => {
    expect(htmlToText('<style>td{}</style><script>x()</script><div>Hola</div>')).toBe('Hola');
    expect(textLines('> Nombre: Ana\n>> Correo: a@b.cl')).toEqual(['Nombre: Ana', 'Correo: a@b.cl']);
  });
});

describe('the text part of a multipart/alternative', () => {
  const parsed = (html: string, text: string): ParsedEmail => ({
    messageId: null, date: null, subject: 'Contacto', from: { address: 'avisos@portal.cl', name: '' }, replyTo: null, to: ['ventas@inmobiliaria-ejemplo.cl'],
    headers: {}, contentType: 'multipart/alternative', partTypes: [], html, text, truncated: false, attached: [], attachments: [],
  });
  const html = '<h2>Nuevo contacto</h2><table><tr><td>Nombre:</td><td>Ana Soto</td></tr><tr><td>Correo:</td><td>ana@correo.cl</td></tr></table><p>Visita http://x.cl/1</p>';
  it('is read once when each of its lines is a line of the HTML, and still counts where the whole message is searched', () => {
    const view = new MailView(parsed(html, 'Nombre: Ana Soto\nCorreo: ana@correo.cl\n\nVisita http://x.cl/1\n'));
    expect(view.lines).toEqual(['Nuevo contacto', '', 'Nombre:\tAna Soto', 'Correo:\tana@correo.cl', '', 'Visita http://x.cl/1']);
    expect(view.bodyText).not.toContain('Nombre: Ana Soto');
    expect(view.fullText).toBe(`${view.bodyText}\n\nNombre: Ana Soto\nCorreo: ana@correo.cl\n\nVisita http://x.cl/1\n`); // the text part as written, after the HTML's text
  });
  it('is read after the HTML when it says anything the HTML does not', () => {
    const view = new MailView(parsed(html, 'Nombre: Ana Soto\nTeléfono: +56 9 8765 4321\n'));
    expect(view.lines.filter(Boolean).slice(-3)).toEqual(['Visita http://x.cl/1', 'Nombre: Ana Soto', 'Teléfono: +56 9 8765 4321']);
    expect(view.fullText).toBe(view.bodyText);
  });
  it("a parser's body marker is found in any case, in the text, its copy or the HTML's markup", () => {
    const view = new MailView(parsed(`${html}<!-- lead_information_version: 2 -->`, 'Nombre: Ana Soto\nCorreo: ana@correo.cl\n\nVisita http://x.cl/1\n'));
    expect(bodyMarkerIn(view, ['nuevo contacto'])).toBe('nuevo contacto');
    expect(bodyMarkerIn(view, ['ausente', 'lead_information_version'])).toBe('lead_information_version');
    expect(bodyMarkerIn(view, ['visita http://x.cl/1'])).toBe('visita http://x.cl/1');
    expect(bodyMarkerIn(view, ['nombre: ana', 'otro portal (s.a.)'])).toBe('nombre: ana'); // only the text part writes it so
    expect(bodyMarkerIn(view, ['otro portal (s.a.)', '.*'])).toBeUndefined();
  });
  it('a label and its value on two lines of the text are not the HTML row that holds both', () => {
    const view = new MailView(parsed(html, 'Nombre:\nAna Soto\n'));
    expect(view.lines.filter(Boolean).slice(-2)).toEqual(['Nombre:', 'Ana Soto']);
  });
});

describe('labels', () => {
  it('maps Spanish, Portuguese and English variants to fields', () => {
    expect(fieldForLabel('Nombre completo')).toBe('name');
    expect(fieldForLabel('Nome')).toBe('name');
    expect(fieldForLabel('Correo electrónico')).toBe('email');
    expect(fieldForLabel('E-mail')).toBe('email');
    expect(fieldForLabel('Teléfono / WhatsApp')).toBe('phone');
    expect(fieldForLabel('Celular')).toBe('phone');
    expect(fieldForLabel('RUT')).toBe('nationalId');
    expect(fieldForLabel('Nombre del proyecto')).toBe('project');
    expect(fieldForLabel('Imóvel')).toBe('project');
    expect(fieldForLabel('Mensagem')).toBe('message');
    expect(fieldForLabel('Fecha de envío')).toBeNull();
    expect(fieldForLabel('Hola me interesa mucho el departamento que vi en el portal')).toBeNull();
  });
  it('reads label lines, a label alone followed by its value, and multi-line messages', () => {
    const lines = ['Nombre: Ana Soto', 'Correo', 'ana@correo.cl', 'Mensaje: hola', 'segunda línea', '', 'footer'];
    const pairs = labelledPairs(lines, (l) => fieldForLabel(l) !== null, (l) => fieldForLabel(l) === 'message');
    expect(pairs.map((p) => [p.label, p.value])).toEqual([
      ['Nombre', 'Ana Soto'],
      ['Correo', 'ana@correo.cl'],
      ['Mensaje', 'hola\nsegunda línea'],
    ]);
  });
  it('a value is a label row only when every word is a label word', () => {
    // Header rows and labels read as values: never a name.
    for (const t of ['Documento\tE-mail\tFono\tAviso', 'Documento E-mail Fono Aviso', 'Nombre y apellido', 'D.N.I.', 'Nombre completo', 'Correo electrónico', 'Teléfono del cliente', 'N° de documento', 'Rut']) {
      expect(isLabelText(t), t).toBe(true);
    }
    // A name with one word that is also a label, an initial or a joining word at either end: a name.
    for (const t of ['Cliente A', 'Cliente Y', 'Cliente E', 'Rut Pérez', 'Ana Contacto', 'Cliente Bueno', 'Nombre y', 'Carla Alvarado', 'Tel Aviv']) {
      expect(isLabelText(t), t).toBe(false);
    }
    const pairs = labelledPairs(['Nombre: Rut Pérez', 'Nombre: Nombre y apellido'], (l) => fieldForLabel(l) !== null, () => false);
    expect(pairs.map((p) => p.value)).toEqual(['Rut Pérez', '']);
  });
});

describe('project matching', () => {
  const index = buildProjectIndex(PROJECTS);
  it.each([
    ['Parque Los Robles', 'Parque Los Robles'],
    ['EDIFICIO PARQUE LOS ROBLES', 'Parque Los Robles'],
    ['PLR - Parque Los Robles', 'Parque Los Robles'],
    ['Parque Los Robles - Depto 3D', 'Parque Los Robles'],
    ['plr', 'Parque Los Robles'],
    ['Proyecto Mirador del Vallé', 'Mirador del Valle'],
    ['Parque Los Roble', 'Parque Los Robles'],
  ])('%s -> %s', (text, expected) => {
    expect(matchProject(text, index).project).toBe(expected);
  });
  it('records the closest candidate when nothing matches', () => {
    const m = matchProject('Parque Las Rosas', index);
    expect(m.project).toBeNull();
    expect(m.candidate).toBe('Parque Los Robles');
  });
  it('does not match a short alias inside another word', () => {
    expect(matchProject('Templar 5', index).project).toBeNull();
  });
});

describe('problem details', () => {
  const index = buildProjectIndex(PROJECTS);
  const raw = { name: 'Ana Soto', firstName: null, lastName: null, nationalId: null, email: 'ana@correo.cl', phone: null, project: 'Parque Las Rosas', message: null };
  it('name the value, in no language of their own: the page adds the company language\'s words', () => {
    const cl = normalizeFields(raw, 'CL', index, () => null);
    expect(cl.problems).toContain('project.unmatched');
    expect(cl.details['project.unmatched']).toBe('¿Parque Los Robles?');
    const mx = normalizeFields({ ...raw, nationalId: 'GODE561231GR8' }, 'MX', index, () => null);
    expect(mx.problems).toContain('nationalId.notPersonal');
    expect(mx.details['nationalId.notPersonal']).toBe('RFC GODE 561231 GR8');
    expect(problemText('nationalId.notPersonal', 'MX', 'es')).toBe('No es un documento de identidad personal');
    expect(problemText('nationalId.notPersonal', 'BR', 'pt')).toBe('Não é um documento de identidade pessoal');
  });
});

describe('classification', () => {
  const base = { name: 'Ana', firstName: 'Ana', lastName: null, nationalId: '12345678-5', nationalIdType: 'rut', email: 'a@b.cl', phone: null, project: 'X', projectText: 'X', message: null };
  it('bueno needs name, national ID, email and project', () => {
    expect(classify({ fields: base, problems: [], details: {} })).toMatchObject({ quality: 'bueno', createsClient: true, createsFollowUp: true });
  });
  it('only the project failing: con_problemas with a client and no follow-up', () => {
    expect(classify({ fields: { ...base, project: null }, problems: ['project.unmatched'], details: {} })).toMatchObject({ quality: 'con_problemas', createsClient: true, createsFollowUp: false });
  });
  it('missing national ID: con_problemas without a client', () => {
    expect(classify({ fields: { ...base, nationalId: null }, problems: ['nationalId.missing'], details: {} })).toMatchObject({ quality: 'con_problemas', createsClient: false });
  });
  it('no email and no phone: malo', () => {
    expect(classify({ fields: { ...base, email: null }, problems: ['email.missing'], details: {} })).toMatchObject({ quality: 'malo', createsClient: false });
  });
});

describe('whole pipeline on generic forms', () => {
  it('classifies a complete Spanish form as bueno with canonical values', async () => {
    const o = await lead(formEmail({ lines: { Nombre: 'MARÍA JOSÉ SOTO', RUT: '12.345.678-5', 'E-mail': 'MJ.Soto@Gmail.com', Fono: '9 8765 4321', Proyecto: 'Edificio Parque Los Robles' } }));
    expect(o.quality).toBe('bueno');
    expect(o.fields).toMatchObject({ name: 'María José Soto', nationalId: '12345678-5', email: 'mj.soto@gmail.com', phone: '+56987654321', project: 'Parque Los Robles' });
    expect(o.problems).toEqual([]);
  });
  it('a name with a word that is also a label ("Cliente A", "Rut Pérez") is still the name', async () => {
    for (const name of ['Cliente A', 'Rut Pérez']) {
      const o = await lead(formEmail({ lines: { Nombre: name, RUT: rut(12345678), Correo: 'c@correo.cl', Proyecto: 'PLR' } }));
      expect(o.fields.name).toBe(name);
      expect(o.quality).toBe('bueno');
    }
  });
  it('finds a valid RUT in free text and the project in the subject', async () => {
    const o = await lead(formEmail({ subject: 'Consulta PLR', lines: { Nombre: 'Ana Pérez', Correo: 'ana@correo.cl', Mensaje: `mi rut es ${rut(15509661)} gracias` } }));
    expect(o.fields.nationalId).toBe(rut(15509661));
    expect(o.fields.project).toBe('Parque Los Robles');
    expect(o.quality).toBe('bueno');
  });
  it('reports problems as codes', async () => {
    const o = await lead(formEmail({ lines: { Nombre: 'Ana', RUT: '12.345.678-9', Email: 'ana@correo.cl', Proyecto: 'Torre Desconocida' } }));
    expect(o.quality).toBe('con_problemas');
    expect(o.problems).toEqual(expect.arrayContaining(['nationalId.invalid', 'project.unmatched']));
  });
  it('reads a forwarded form behind quote markers', async () => {
    const o = await lead(formEmail({ from: 'Vendedor <vendedor@inmobiliaria-ejemplo.cl>', subject: 'Fwd: contacto', lines: { '> Nombre': 'Pedro Lagos', '> Rut': rut(9876543), '> Email': 'pedro@lagos.cl', '> Proyecto': 'MDV' } }));
    expect(o.fields).toMatchObject({ name: 'Pedro Lagos', email: 'pedro@lagos.cl', project: 'Mirador del Valle' });
  });
  it('repairs UTF-8 read as Latin-1 in labels and values', async () => {
    const o = await lead(formEmail({ lines: { Nombre: 'JosÃ© PÃ©rez', 'TelÃ©fono': '+56 9 8765 4321', Correo: 'jose@correo.cl' } }));
    expect(o.fields.name).toBe('José Pérez');
    expect(o.fields.phone).toBe('+56987654321');
  });
  it('reads Latin-1 bytes sent as UTF-8', async () => {
    const raw = Buffer.concat([
      formEmail({ lines: {} }).subarray(0, -2),
      Buffer.from('Nombre: Jos\xe9 N\xfa\xf1ez\r\nTel\xe9fono: 987654321\r\nCorreo: jn@correo.cl\r\n', 'latin1'),
    ]);
    const o = await lead(raw);
    expect(o.fields.name).toBe('José Núñez');
    expect(o.fields.phone).toBe('+56987654321');
  });
  it('joins Nombre and Apellido, and tries every labelled project value', async () => {
    const o = await lead(formEmail({ lines: { Nombre: 'Juan', Apellido: 'Pérez Soto', RUT: rut(12678579), Email: 'jps@correo.cl', 'Código de propiedad': '4567-B', 'Proyecto de interés': 'Costanera Sur' } }));
    expect(o.fields.name).toBe('Juan Pérez Soto');
    expect(o.fields.project).toBe('Costanera Sur');
    expect(o.quality).toBe('bueno');
  });
  it('malo when there is no usable contact', async () => {
    const o = await lead(formEmail({ lines: { Nombre: 'Sin Contacto', Mensaje: 'hola' } }));
    expect(o.quality).toBe('malo');
    expect(o.problems).toContain('contact.missing');
  });
});

describe('mail that is not a lead', () => {
  it.each([
    [{ 'Auto-Submitted': 'auto-replied' }, 'auto-reply'],
    [{ 'Content-Type': 'multipart/report; report-type=delivery-status; boundary=x' }, 'delivery-report'],
  ])('%o is ignored', async (headers, reason) => {
    const o = await runPipeline(formEmail({ headers, lines: { Nombre: 'Ana', Correo: 'ana@correo.cl' } }), testContext());
    expect(o).toMatchObject({ kind: 'ignored', reason });
  });
  it('ignores a newsletter with no form labels, but not a form sent through a bulk service', async () => {
    const news = await runPipeline(formEmail({ headers: { 'List-Unsubscribe': '<mailto:u@x.cl>' }, lines: {}, from: 'News <news@shop.cl>' }), testContext());
    expect(news).toMatchObject({ kind: 'ignored', reason: 'mailing-list' });
    const form = await runPipeline(formEmail({ headers: { 'List-Unsubscribe': '<mailto:u@x.cl>' }, lines: { Nombre: 'Ana', Correo: 'ana@correo.cl' } }), testContext());
    expect(form.kind).toBe('lead');
  });
  it("ignores a known portal's own newsletter (bulk, no contact data), not its leads", async () => {
    const parser = parseParserFile('id: p\nname: P\nmedium: portales\nmatch: {from: portal.cl}\n', 'p.yaml');
    const news = await runPipeline(formEmail({ from: 'Portal <news@portal.cl>', headers: { Precedence: 'bulk' }, lines: { Novedades: 'nuevos proyectos en Santiago' } }), testContext([parser]));
    expect(news).toMatchObject({ kind: 'ignored', reason: 'mailing-list', parser: 'p' });
    const leadMail = await runPipeline(formEmail({ from: 'Portal <news@portal.cl>', headers: { Precedence: 'bulk' }, lines: { Nombre: 'Ana Soto', Correo: 'ana@correo.cl' } }), testContext([parser]));
    expect(leadMail.kind).toBe('lead');
  });
  it('bounces from the mailer daemon', async () => {
    const o = await runPipeline(formEmail({ from: 'Mail Delivery Subsystem <mailer-daemon@googlemail.com>', subject: 'Delivery Status Notification (Failure)', lines: {} }), testContext());
    expect(o).toMatchObject({ kind: 'ignored', reason: 'bounce' });
  });
});

describe('parser configs as data', () => {
  const yaml = `id: demo\nname: Demo\nmedium: portales\nmatch:\n  from: demo.cl\nfields:\n  name: {attribute: title=lead-name}\n  email:\n    - {css: 'a.mail', attr: href, post: [{replace: ['^mailto:', '']}]}\n  project: {regex: 'Proyecto (?<value>[^<]+)', in: subject}\n`;
  it('runs css, attribute and regex extractors and falls back to generic labels', async () => {
    const parser = parseParserFile(yaml, 'demo.yaml');
    const raw = formEmail({
      from: 'Demo <noreply@mail.demo.cl>',
      subject: 'Proyecto Costanera Sur',
      html: `<p><span title="lead-name">Luis Díaz</span></p><p><a class="mail" href="mailto:luis@diaz.cl">escribir</a></p><p>RUT: ${rut(7654321)}</p>`,
    });
    const o = await lead(raw, [parser]);
    expect(o.parser).toBe('demo');
    expect(o.fields).toMatchObject({ name: 'Luis Díaz', email: 'luis@diaz.cl', project: 'Costanera Sur', nationalId: rut(7654321) });
    expect(o.quality).toBe('bueno');
  });
  it('names the file, line and key path of a bad config', () => {
    const bad = yaml.replace('medium: portales', 'medium: revista').replace("in: subject", 'in: nowhere');
    expect(() => parseParserFile(bad, 'parsers/demo.yaml')).toThrow(/parsers\/demo\.yaml:3:9: medium: .*"revista"/);
    expect(() => parseParserFile(bad, 'parsers/demo.yaml')).toThrow(/fields\.project/);
  });
  it('accepts catastrophic shapes because RE2 runs them in linear time, and refuses what RE2 cannot run', () => {
    // Since the RE2 switch a nested quantifier is no longer refused: the automaton runs it in one
    // pass over the input, so it is harmless. Its answer is right on the input that used to hang V8.
    for (const [src, input, matches] of [
      ['(a+)+b', 'a'.repeat(50_000), false],
      ['(\\w+\\s?)*$', `${'a'.repeat(50_000)}!`, true], // the empty match at the end
      ['(a+)+b', `${'a'.repeat(50_000)}b`, true],
    ] as const) {
      expect(patternProblem(src)).toBeNull();
      const re = compilePattern(src, 'extract');
      expect(re).toBeInstanceOf(LinearRegex);
      expect(re.instructions).toBeLessThanOrEqual(MAX_INSTRUCTIONS);
      expect(re.exec(input) !== null).toBe(matches);
    }
    expect(patternProblem('Proyecto (?<value>[^<]+)')).toBeNull();
    // What the linear-time engine cannot run is refused at load, with the reason.
    expect(patternProblem('(a)\\1')).toMatch(/la referencia hacia atrás .* no está soportada/);
    expect(patternProblem('(?<=RUT )\\d+')).toMatch(/lookbehind .* no está soportado/);
    expect(patternProblem('(\\w{0,40}\\s?){1,20}')).toMatch(/demasiado grande para el motor de tiempo lineal/);
    expect(patternProblem('a{0,100}a{0,100}a{0,100}a{0,100}x')).toMatch(/demasiado grande para el motor de tiempo lineal/);
    expect(patternProblem('x{0,5000}')).toMatch(/supera 1000/);
    expect(patternProblem('(')).toMatch(/no válida/);
  });
});

describe('quick headers', () => {
  it('reads Message-ID and Date before MIME parsing, unfolding lines', () => {
    const h = quickHeaders(Buffer.from('Subject: x\r\nMessage-ID:\r\n <a@b>\r\nDate: Mon, 23 Nov 2026 10:00:00 -0300 (CLT)\r\n\r\nMessage-ID: <body@x>'));
    expect(h.messageId).toBe('<a@b>');
    expect(h.date?.toISOString()).toBe('2026-11-23T13:00:00.000Z');
  });
  it('a Date header of 200,000 "(" (quadratic for the comment regex, on the IMAP thread) is read in bounded work', () => {
    const h = quickHeaders(Buffer.from(`Message-ID: <x@y.cl>\r\nDate: ${'('.repeat(200_000)}\r\n\r\nHola`));
    expect(h.messageId).toBe('<x@y.cl>');
    expect(h.date).toBeNull();
    // A long real comment is still dropped before the date is read.
    expect(quickHeaders(Buffer.from('Date: Mon, 23 Nov 2026 10:00:00 -0300 (Hora de verano de Chile)\r\n\r\n')).date?.toISOString()).toBe('2026-11-23T13:00:00.000Z');
  }, 20_000); // hang guard: the quadratic regex took ~30 s here, bounded it takes ~1 ms
  it('folds for comparisons', () => {
    expect(fold('  Teléfono: ')).toBe('telefono');
  });
});

describe('hostile HTML', () => {
  it('unclosed tags, comments and scripts are handled in linear time (results asserted, not time)', () => {
    expect(htmlToText('<p>a</p><!-- x --><script>y</script ><style>z</style>b')).toBe('a\n\nb');
    expect(htmlToText('<div>Nombre</div><!-- unclosed')).toBe('Nombre');
    expect(htmlToText('<div>Nombre</div><script>never closed')).toBe('Nombre');
    // Each of these took seconds to minutes with the old patterns (quadratic in the input).
    for (const s of ['<'.repeat(300_000), '<!--'.repeat(100_000), '<script>'.repeat(50_000), '<table'.repeat(60_000), '<p '.repeat(100_000)]) {
      expect(typeof htmlToText(`<div>Ana</div>${s}`)).toBe('string');
    }
  });
});

describe('Word/Outlook HTML', () => {
  it('a <p class=MsoNormal> inside each cell keeps label and value on one row', () => {
    const html = '<table><tr><td><p class=MsoNormal><b><span>Nombre<o:p></o:p></span></b></p></td><td><p class=MsoNormal><span>Pablo Riquelme<o:p></o:p></span></p></td></tr></table>';
    expect(textLines(htmlToText(html))).toEqual(['Nombre\tPablo Riquelme']);
  });
});
