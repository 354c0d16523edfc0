import { parseConfig, type Config } from '../../src/config.ts';
import { buildProjectIndex } from '../../src/pipeline/project.ts';
import type { PipelineContext } from '../../src/pipeline/index.ts';
import type { LoadedParser } from '../../src/parsers/load.ts';
import { rutCheckDigit } from './lead-mail.ts';

export const PROJECTS = [
  { name: 'Parque Los Robles', aliases: ['Edificio Parque Los Robles', 'PLR'] },
  { name: 'Mirador del Valle', aliases: ['MDV'] },
  { name: 'Costanera Sur', aliases: [] },
];

export function testConfig(extra = ''): Config {
  const yaml = `country: CL\nfollowUpDays: 5\nparsersDir: ${process.cwd()}/parsers\nprojects:\n${PROJECTS.map((p) => `  - {name: ${p.name}, aliases: [${p.aliases.join(', ')}]}`).join('\n')}\n${extra}`;
  return parseConfig(yaml, 'test.yaml', {});
}

export function testContext(parsers: LoadedParser[] = []): PipelineContext {
  const config = testConfig();
  return { parsers, projects: buildProjectIndex(config.projects), country: 'CL', limits: config.limits };
}

/** A valid RUT, its check digit computed independently of src/. */
export const rut = (body: number) => `${body}-${rutCheckDigit(body)}`;

let seq = 0;

/** A plain `Label: value` lead email (the shape of many web forms), quoted-printable UTF-8. */
export function formEmail(o: {
  from?: string;
  subject?: string;
  messageId?: string | null;
  date?: string;
  lines?: Record<string, string>;
  headers?: Record<string, string>;
  html?: string;
}): Buffer {
  const id = o.messageId === undefined ? `<t${Date.now()}.${++seq}@test.local>` : o.messageId;
  const head = [
    `From: ${o.from ?? 'Formulario Web <web@inmobiliaria-ejemplo.cl>'}`,
    'To: ventas@inmobiliaria-ejemplo.cl',
    `Subject: ${o.subject ?? 'Nuevo contacto'}`,
    ...(id ? [`Message-ID: ${id}`] : []),
    `Date: ${o.date ?? 'Mon, 23 Nov 2026 10:00:00 -0300'}`,
    'MIME-Version: 1.0',
    ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  if (o.html) {
    return Buffer.from([...head, 'Content-Type: text/html; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', o.html, ''].join('\r\n'));
  }
  const body = Object.entries(o.lines ?? {}).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  return Buffer.from([...head, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join('\r\n'));
}

let attachedSeq = 0;
/** A text email with one attachment (base64, its name in RFC 2231 form, so any characters survive). */
export function mailWithAttachment(o: { to: string; subject: string; from: string; text: string; name: string; type: string; bytes: Buffer }): Buffer {
  const b = `=_b${++attachedSeq}`;
  const base64 = o.bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      `From: ${o.from}`, `To: ${o.to}`, `Subject: ${o.subject}`, `Message-ID: <adjunto-${attachedSeq}-${Date.now()}@test.local>`,
      'Date: Mon, 23 Nov 2026 10:00:00 -0300', 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${b}"`, '',
      `--${b}`, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', o.text, '',
      `--${b}`, `Content-Type: ${o.type}`, `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(o.name)}`, 'Content-Transfer-Encoding: base64', '', base64, '',
      `--${b}--`, '',
    ].join('\r\n'),
  );
}
