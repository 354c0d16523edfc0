import { describe, expect, it } from 'vitest';
import { accountNoticeReason } from '../src/pipeline/ignore.ts';
import { emojiLabelLine, fieldForLabel, splitMultiLabelLines } from '../src/pipeline/labels.ts';
import type { ParsedEmail } from '../src/pipeline/mime.ts';
import { payloadLines } from '../src/pipeline/payload.ts';
import { isReplyMail, quoteStart } from '../src/pipeline/reply.ts';

const mail = (subject: string, from = 'avisos@portal.cl', headers: Record<string, string> = {}) =>
  ({ subject, from: { name: '', address: from }, headers, to: [] }) as unknown as ParsedEmail;

describe('relay labels', () => {
  it('reads labels through a relay\'s prefix or suffix, never a vendor\'s', () => {
    expect(fieldForLabel('Lead Full Name')).toBe('name');
    expect(fieldForLabel('Lead Rut')).toBe('nationalId');
    expect(fieldForLabel('Nombre completo del lead')).toBe('name');
    expect(fieldForLabel('Contact name')).toBe('name');
    expect(fieldForLabel('Correo del cliente')).toBe('email');
    expect(fieldForLabel('¿cuál es tu rut?')).toBe('nationalId');
    expect(fieldForLabel('phone_number')).toBe('phone');
    expect(fieldForLabel('Email del ejecutivo')).toBeNull();
    expect(fieldForLabel('Contact owner')).toBeNull();
    expect(fieldForLabel('Lead Source')).toBeNull();
  });
  it('symbol labels and several fields on one line', () => {
    expect(emojiLabelLine('📧 ana@correo.cl')).toBe('Email: ana@correo.cl');
    expect(emojiLabelLine('👤 Nombre: Ana Soto')).toBe('Nombre: Ana Soto');
    expect(emojiLabelLine('Hola 👤')).toBe('Hola 👤');
    expect(splitMultiLabelLines(['Nombre: Ana Soto · RUT: 12.345.678-5 · Teléfono: +56 9 1234 5678'])).toEqual(['Nombre: Ana Soto', 'RUT: 12.345.678-5', 'Teléfono: +56 9 1234 5678']);
    expect(splitMultiLabelLines(['Email: a@b.cl - Proyecto: Los Aromos'])).toEqual(['Email: a@b.cl', 'Proyecto: Los Aromos']);
    // One known label and a dash inside a value: the line stays whole.
    expect(splitMultiLabelLines(['Proyecto: Torre A - Depto: 301'])).toEqual(['Proyecto: Torre A - Depto: 301']);
  });
});

describe('lead-ad payloads', () => {
  it('Google Ads user_column_data and Meta field_data become label lines', () => {
    const google = JSON.stringify({ lead_id: 'x', user_column_data: [{ column_id: 'FULL_NAME', string_value: 'Ana Soto' }, { column_name: '¿Cuál es tu RUT?', column_id: 'Q1', string_value: '12.345.678-5' }] });
    expect(payloadLines(`Nuevo lead:\n${google}`)).toEqual(expect.arrayContaining(['Nombre completo: Ana Soto', '¿Cuál es tu RUT?: 12.345.678-5']));
    const meta = JSON.stringify({ field_data: [{ name: 'full_name', values: ['Ana Soto'] }, { name: 'phone_number', values: ['+56912345678'] }] });
    expect(payloadLines(meta)).toEqual(['full name: Ana Soto', 'phone number: +56912345678']);
    expect(payloadLines('Hola {no es json}')).toEqual([]);
  });
});

describe('replies', () => {
  it('tells a reply from a forward and a portal\'s threaded notice', () => {
    expect(isReplyMail(mail('Re: Cotización', 'ana@gmail.com'))).toBe(true);
    expect(isReplyMail(mail('RV: Nuevo contacto', 'pedro@empresa.cl', { 'in-reply-to': '<a@b>' }))).toBe(false);
    expect(isReplyMail(mail('Consulta', 'ana@gmail.com', { 'in-reply-to': '<a@b>' }))).toBe(true);
    expect(isReplyMail(mail('Nuevo contacto', 'no-reply@portal.cl', { 'in-reply-to': '<a@b>' }))).toBe(false);
  });
  it('finds where the quote starts', () => {
    expect(quoteStart(['Sí, me interesa.', '', 'El lun, 23 nov 2026 a las 16:02, Pedro <p@x.cl> escribió:', '> Hola'])).toBe(2);
    expect(quoteStart(['Ok', 'El lun, 23 nov 2026 a las 16:02, Pedro', '<p@x.cl> escribió:'])).toBe(1);
    expect(quoteStart(['Ok', '________________________________', 'De: Portal <a@b.cl>'])).toBe(1);
    expect(quoteStart(['Ok', 'De: Pedro <p@x.cl>', 'Enviado: lunes', 'Para: Ana'])).toBe(1);
    expect(quoteStart(['Nombre: Ana', 'De: Santiago'])).toBe(-1);
  });
});

describe('a portal\'s own mail', () => {
  const NOTICE = 'Estimado cliente: su documento tributario electrónico está disponible. Monto total $45.900. Fecha de vencimiento 30-11-2026. Puede descargarlo desde su cuenta.';
  it('ignores billing, account and publication notices, never an enquiry', () => {
    for (const s of ['Tu factura electrónica N° 458921 está disponible', 'Recordatorio de pago: estado de cuenta', 'Tu publicación "Mirador" vence en 3 días', 'Tu aviso Costanera Sur fue pausado', 'Boleta electrónica N° 12345', 'Sua fatura chegou']) {
      expect(accountNoticeReason(mail(s), NOTICE), s).toBe('portal-account');
    }
    expect(accountNoticeReason(mail('Hola', 'facturacion@portal.cl'), NOTICE)).toBe('portal-account');
    for (const s of ['Nuevo contacto en tu aviso publicado: Los Aromos', 'Consulta por Parque Los Robles', 'Re: Tu factura', 'Interesado en tu publicación Vista Cordillera', 'Nueva cotización: Torre Providencia']) {
      expect(accountNoticeReason(mail(s), NOTICE), s).toBeNull();
    }
  });
  it('never takes an owner writing about a boleta or a cobro for a notice', () => {
    const owner = 'Soy propietaria del depto 1204. La boleta de gastos comunes viene con un cobro que no corresponde; ya llamé dos veces y nadie me responde.';
    expect(accountNoticeReason(mail('Boleta de gastos comunes de noviembre', 'carmen@gmail.com'), owner)).toBeNull();
    expect(accountNoticeReason(mail('Cobro duplicado', 'carmen@gmail.com'), owner)).toBeNull();
    // The same subject with a notice's body is still the notice.
    expect(accountNoticeReason(mail('Boleta de gastos comunes de noviembre', 'cobranza@administradora.cl'), NOTICE)).toBe('portal-account');
  });
});
