import { describe, expect, it } from 'vitest';
import { recognizeCase, unitIn } from '../src/pipeline/recognize-case.ts';

// The recognizer alone, on sentences not in fixtures/cases: one word never decides; the portal's
// notification needs a real complaint; an owner speaking of theirs does not need a magic word.
const portal = { id: 'portal-inmobiliario', medium: 'portales' };
type Case = [subject: string, body: string, expected: 'lead' | `case/${string}`, from?: boolean | 'web' | 'otros'];

const CASES: Case[] = [
  // Sales, some with post-sale words in them.
  ['Consulta', 'Hola, quisiera saber si el departamento tiene garantía y cuándo es la entrega.', 'lead'],
  ['Depto 1502', 'Me interesa el depto 1502 de Parque Los Robles, ¿cuánto son los gastos comunes y la administración?', 'lead'],
  ['Entrega inmediata', '¿Tienen departamentos con entrega inmediata? ¿Cuál es el valor de los gastos comunes?', 'lead'],
  ['Busco depto', 'Tengo problemas de humedad en mi depto actual y estoy buscando algo nuevo, ¿qué tienen de 2 dormitorios?', 'lead'],
  ['Postventa', '¿Qué servicio de postventa ofrecen en el proyecto?', 'lead'],
  ['Nuevo contacto', 'Mensaje: ¿El edificio tiene problemas de humedad? Me interesa comprar.', 'lead', true],
  ['Nuevo contacto', 'Mensaje: Quiero cotizar; ¿la escritura la hacen ustedes? ¿Cuánto es el pie?', 'lead', true],
  ['Contato', 'Tenho interesse no apartamento, qual o valor do condomínio?', 'lead'],
  ['Reserva', 'Quisiera reservar una visita al piloto y saber si hay estacionamiento disponible.', 'lead'],
  // Post-sale, in many voices.
  ['Agua caliente', 'Hola, en el depto 305 de Mirador del Valle no sale agua caliente en la ducha y el calefont no enciende. ¿Pueden venir a revisar?', 'case/postventa'],
  ['Problema', 'Estimados, les escribo para informar que el departamento 1502 presenta problemas de humedad en el dormitorio.', 'case/postventa'],
  ['Asamblea', 'Buenas tardes, ¿cuándo será la asamblea de copropietarios del edificio? Soy dueño del 804.', 'case/consulta'],
  ['Escritura', 'Necesito una copia de la escritura de mi departamento para el banco, ¿a quién se la pido?', 'case/consulta'],
  ['Felicitaciones', 'Quiero felicitar al equipo de postventa por la rapidez con que repararon mi departamento.', 'case/sugerencia'],
  ['Reclamo', 'Reclamo formal: llevo tres semanas esperando que reparen la filtración del techo y nadie ha venido.', 'case/reclamo'],
  ['Urgente', 'El baño de mi depto está tapado desde el lunes, ya llamé y nadie responde. Es inaceptable.', 'case/reclamo'],
  ['Piso', 'O piso do meu apartamento está soltando na sala, podem enviar alguém da assistência técnica?', 'case/postventa'],
  ['Vazamento', 'Boa tarde, há um vazamento na cozinha do apto 52, já liguei duas vezes e ninguém veio.', 'case/reclamo'],
  ['Nuevo contacto', 'Mensaje: Soy propietario del depto 402 y tengo una filtración en la terraza, nadie vino a revisar. Es un reclamo.', 'case/reclamo', true],
  ['Formulario de contacto', 'Mensaje: Soy propietario del depto 1203, ¿cuándo llega la cuenta de gastos comunes?', 'case/consulta', 'web'],
  ['Formulario de contacto', 'Mensaje: Quiero cotizar un 2 dormitorios, ¿cuánto son los gastos comunes?', 'lead', 'web'],
  ['Cotización web', 'Proyecto: Parque Los Robles\nTipología: 3D2B\nMensaje: sin mensaje', 'lead', 'web'],
  ['Lead de Facebook', 'full_name: Ana Pérez\nphone: +56911112222\n¿Tiene entrega inmediata y garantía?', 'lead', 'otros'],
  ['Humedad', 'Tengo humedad en el baño.', 'case/postventa'],
  ['RE: Cotización Parque Los Robles', 'Gracias, ¿me pueden mandar el valor con descuento? Quisiera reservar.', 'lead'],
  ['Boleto do condomínio', 'Olá, sou proprietária no Moema Prime e não recebi o boleto do condomínio deste mês.', 'case/consulta'],
  ['Sugerencia', 'Buenas, como propietario les sugiero mejorar la iluminación del estacionamiento.', 'case/sugerencia'],
  ['Entrega torre B', 'Buenas tardes, ¿cuándo es la entrega de los departamentos de la torre B? Firmé la promesa en enero.', 'case/consulta'],
  ['Sugerencia', 'Sugerencia: sería bueno que la app de la administración permita pagar con tarjeta.', 'case/sugerencia'],
  ['Sin respuesta', 'Les escribí la semana pasada para cotizar y nadie me responde. Sigo interesado en el 2 dormitorios.', 'lead'],
  ['Dueño', 'Hola, soy dueño del depto 504 en Los Aromos y quisiera saber cómo inscribo mi estacionamiento.', 'case/consulta'],
  // Owners who do not say "propietario", buyers who do, and politeness that is not a complaint.
  ['Escritura', 'Hola, quiero saber el estado de mi escritura, la firmé hace 2 meses en Mirador del Valle.', 'case/consulta'],
  ['Terminaciones', 'Las terminaciones del baño están malas, hay manchas en los muros. Vivo en el 1502 de Torre Providencia y exijo que lo arreglen, es inaceptable.', 'case/reclamo'],
  ['Atraso', 'Ya pagué el pie hace un año y la entrega se atrasó, exijo una respuesta. Es inaceptable.', 'case/reclamo'],
  ['Precio', 'Ya llamé a la sala de ventas y nadie me responde, quiero saber el precio del 2D en Parque Los Robles.', 'lead'],
  ['Inversión', 'Soy propietario de un depto en otra comuna y quiero invertir en un segundo departamento en Torre Providencia. ¿Qué precios tienen?', 'lead'],
  ['Escritura', 'Disculpe la molestia, necesito una copia de la escritura de mi departamento en Parque Los Robles.', 'case/consulta'],
  ['Chaves', 'Olá, comprei o apartamento 52 no Jardins Paulista. Quando vou receber as chaves do meu apartamento? Obrigado', 'case/consulta'],
];

describe('recognizeCase on unseen sentences', () => {
  it.each(CASES)('%s — %s', (subject, body, expected, fromPortal) => {
    const s = recognizeCase({ subject, body, parser: fromPortal === true ? portal : fromPortal ? { id: `form-${fromPortal}`, medium: fromPortal } : null });
    const got = s.verdict === 'lead' ? 'lead' : `case/${s.category}`;
    expect(got, s.evidence.join('\n')).toBe(expected);
    expect(s.evidence.at(-1)).toMatch(s.verdict === 'case' ? /es un caso$/ : /es un lead$/);
  });

  it('reads the unit, the case tag and the language', () => {
    expect(unitIn('filtración en el Dpto. 34b de Los Aromos')).toBe('depto 34B');
    expect(unitIn('la casa N° 12 del condominio')).toBe('casa 12');
    expect(unitIn('mi bodega #7')).toBe('bodega 7');
    expect(unitIn('sin unidad')).toBeNull();
    expect(recognizeCase({ subject: 'Re: [Caso 17] Recibimos su mensaje', body: 'gracias', parser: null }).caseNumber).toBe(17);
    expect(recognizeCase({ subject: 'Vazamento', body: 'Olá, meu apartamento tem um vazamento, preciso de ajuda', parser: null }).lang).toBe('pt');
    expect(recognizeCase({ subject: 'Filtración', body: 'Hola, mi departamento tiene una filtración', parser: null }).lang).toBe('es');
  });

  it('bounds its work on a huge body (only the first 20,000 characters are read)', () => {
    const s = recognizeCase({ subject: 'x', body: `${'palabra '.repeat(200_000)} filtración reclamo nadie vino`, parser: null });
    expect(s.verdict).toBe('lead');
  });
});
