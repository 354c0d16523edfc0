// Sample emails of two invented portals, several people each: parsers learn is taught one and
// must read the others. CasaYa (CL): a table with classes and labels the generic extraction does
// not know. Hogar Fácil (PE): bold labels inline, two fields on one line, no classes.
import { rutCheckDigit } from '../../src/normalize/national-id.ts';

export interface Person { name: string; id: string; email: string; phone: string; project: string; message: string }

export const CASAYA: Person[] = [
  { name: 'Camila Rojas Soto', id: '15432876', email: 'camila.rojas@correo.cl', phone: '+56 9 8765 4321', project: 'Parque Los Robles', message: 'Hola, quisiera agendar una visita al departamento de dos dormitorios.' },
  { name: 'Ignacio Fuentes', id: '9876543', email: 'ifuentes@mail.cl', phone: '9 7123 4567', project: 'Mirador del Valle', message: 'Me interesa saber el valor del pie y las opciones de financiamiento.' },
  { name: 'María José Pérez', id: '20111222', email: 'mjperez@gmail.com', phone: '+56 9 5511 2233', project: 'Torre Providencia', message: 'Quiero cotizar un estudio con estacionamiento, gracias.' },
];

export const rut = (digits: string) => `${digits.replace(/\B(?=(\d{3})+$)/g, '.')}-${rutCheckDigit(digits)}`;

export function casaYa(p: Person, i: number, idText = rut(p.id)): string {
  const html = `<html><body><div class="hdr"><img alt="CasaYa"> Tienes un nuevo interesado</div>
<table class="lead">
<tr><td class="k">Interesado</td><td class="v nombre">${p.name}</td></tr>
<tr><td class="k">Identificación</td><td class="v doc">${idText}</td></tr>
<tr><td class="k">Correo</td><td class="v"><a href="mailto:${p.email}">${p.email}</a></td></tr>
<tr><td class="k">Móvil</td><td class="v">${p.phone}</td></tr>
<tr><td class="k">Publicación de interés</td><td class="v">${p.project} - Código ${1000 + i}</td></tr>
</table><p class="msg">${p.message}</p>
<p>CasaYa.cl · Llámanos al +56 2 2345 6789 · Av. Apoquindo 4500</p></body></html>`;
  return `From: CasaYa Avisos <avisos@mail.casaya.cl>\r\nTo: ventas@inmobiliaria.cl\r\nSubject: Nuevo interesado en tu publicación ${1000 + i}\r\nMessage-ID: <casaya-${i}@casaya.cl>\r\nDate: Wed, 25 Nov 2026 10:0${i}:00 -0300\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
}

export const HOGAR: Person[] = [
  { name: 'Rosa Quispe Huamán', id: '45678912', email: 'rosa.quispe@correo.pe', phone: '987 654 321', project: 'Alto Miraflores', message: 'Buenas tardes, deseo información del departamento de tres dormitorios.' },
  { name: 'Jorge Mendoza', id: '40112233', email: 'jmendoza@mail.pe', phone: '956 123 456', project: 'Alto Miraflores', message: 'Quisiera visitar el piloto este sábado por la mañana.' },
  { name: 'Lucía Vargas Torres', id: '71234567', email: 'lucia.vargas@gmail.com', phone: '912 345 678', project: 'Alto Miraflores', message: 'Me interesa el precio final con bono, gracias.' },
];

export function hogarFacil(p: Person, i: number): string {
  const html = `<html><body><h2>Hogar Fácil - nueva consulta</h2>
<div><b>Quién consulta</b> ${p.name}</div>
<div><b>Doc.</b> ${p.id} <b>Cel.</b> ${p.phone}</div>
<div><b>Escríbele a</b> ${p.email}</div>
<div><b>Te escribieron por</b> ${p.project}</div>
<blockquote>${p.message}</blockquote>
<p>Hogar Fácil S.A.C. · Lima</p></body></html>`;
  return `From: Hogar Facil <consultas@hogarfacil.pe>\r\nTo: ventas@inmobiliaria.pe\r\nSubject: Consulta ${500 + i} de ${p.name}\r\nMessage-ID: <hogar-${i}@hogarfacil.pe>\r\nDate: Wed, 25 Nov 2026 11:0${i}:00 -0500\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
}

export const PROJECTS = 'projects:\n  - {name: Parque Los Robles}\n  - {name: Mirador del Valle}\n  - {name: Torre Providencia}\n  - {name: Alto Miraflores}\n';
