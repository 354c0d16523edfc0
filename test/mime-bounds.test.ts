// Bounds that hold before any DOM or MIME tree is built: parts (with or without a Content-Type),
// HTML nesting depth and element count, attachments never kept.
import { describe, expect, it } from 'vitest';
import { boundHtml } from '../src/pipeline/html-bounds.ts';
import { countParts, parseMime } from '../src/pipeline/mime.ts';
import { runPipeline } from '../src/pipeline/index.ts';
import { testContext } from './helpers/mail.ts';

const multipart = (parts: string[]) =>
  Buffer.from(
    ['From: a@b.cl', 'Subject: partes', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="XYZ"', '', ...parts.flatMap((p) => ['--XYZ', p]), '--XYZ--', ''].join('\r\n'),
  );

describe('maxParts', () => {
  it('counts parts without a Content-Type header', () => {
    const bare = Array.from({ length: 30 }, (_, i) => `\r\nparte ${i}`); // headerless parts: text/plain by default
    expect(countParts(multipart(bare))).toBe(31);
    expect(countParts(multipart(['Content-Type: text/plain\r\n\r\nhola']))).toBe(2);
  });

  it('counts parts far into a large message (read in windows)', () => {
    const filler = `\r\n${'texto de relleno '.repeat(160_000)}`; // ~2.7 MB in the first part
    const bare = Array.from({ length: 30 }, (_, i) => `\r\nparte ${i}`);
    expect(countParts(multipart([filler, ...bare]))).toBe(32);
  });

  it('refuses a message whose headerless parts exceed maxParts', async () => {
    const ctx = testContext();
    const limits = { ...ctx.limits, maxParts: 10 };
    const raw = multipart(Array.from({ length: 30 }, (_, i) => `\r\nparte ${i}`));
    await expect(runPipeline(raw, { ...ctx, limits })).rejects.toMatchObject({ limit: 'maxParts' });
  });

  it('ignores lines that only look like delimiters of an undeclared boundary', () => {
    const raw = Buffer.from('From: a@b.cl\r\nContent-Type: text/plain\r\n\r\n--XYZ\r\n--XYZ\r\n--ABC\r\n');
    expect(countParts(raw)).toBe(1);
  });
});

describe('HTML bounds', () => {
  const bounds = { maxDepth: 16, maxElements: 1000 };

  it('flattens nesting past maxDepth, keeping the text', () => {
    const deep = `${'<div>'.repeat(100)}Nombre: Ana${'</div>'.repeat(100)}`;
    const out = boundHtml(deep, bounds);
    expect(out.changed).toBe(true);
    expect(out.html.match(/<div>/g)!.length).toBe(16);
    expect(out.html).toContain('Nombre: Ana');
  });

  it('cuts the document after maxElements elements', () => {
    const many = '<p>x</p>'.repeat(5000);
    const out = boundHtml(many, bounds);
    expect(out.changed).toBe(true);
    expect(out.html.match(/<p>/g)!.length).toBe(1000);
  });

  it('leaves ordinary HTML alone, implicit closes included', () => {
    const html = '<table><tr><td>Nombre<td>Ana<tr><td>RUT<td>1-9</table><ul><li>a<li>b<li>c</ul><p>uno<p>dos<br><img src=x>';
    const many = `<html><body>${html.repeat(40)}</body></html>`;
    expect(boundHtml(many, bounds)).toEqual({ html: many, changed: false });
  });

  it('does not count tags inside comments and scripts', () => {
    const html = `<!-- ${'<div>'.repeat(50)} --><script>${'<div>'.repeat(50)}</script><div>ok</div>`;
    expect(boundHtml(html, bounds)).toEqual({ html, changed: false });
  });

  it('bounds what reaches the extractors, and marks the email truncated', async () => {
    const raw = Buffer.from(['From: a@b.cl', 'Content-Type: text/html; charset=UTF-8', '', `<div>Nombre: Ana</div>${'<div>'.repeat(500)}x${'</div>'.repeat(500)}`, ''].join('\r\n'));
    const mail = await parseMime(raw, { ...testContext().limits, maxHtmlDepth: 64 });
    expect(mail.truncated).toBe(true);
    expect(mail.html!.match(/<div>/g)!.length).toBeLessThanOrEqual(65);
  });
});

describe('attachments', () => {
  it('are read past, not kept, and the text parts still arrive', async () => {
    const attachment = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = multipart([
      'Content-Type: text/plain; charset=UTF-8\r\n\r\nNombre: Ana Soto\r\nCorreo: ana@correo.cl',
      `Content-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}`,
    ]);
    const mail = await parseMime(raw, testContext().limits);
    expect(mail.text).toContain('Nombre: Ana Soto');
    expect(mail.partTypes).toContain('application/pdf');
  });
});
