// A project named only in the body: the first mention is the listing asked about; names a template
// shows later ("Otros proyectos que te pueden interesar…", "Imóveis semelhantes") are decoys.
import { describe, expect, it } from 'vitest';
import { buildProjectIndex, findProjectIn } from '../src/pipeline/project.ts';

const index = buildProjectIndex([
  { name: 'Parque Los Robles', aliases: ['PLR'] },
  { name: 'Parque Los Robles II', aliases: [] },
  { name: 'Mirador del Valle', aliases: ['MDV'] },
  { name: 'Altos de Santa María de Manquehue', aliases: [] },
  { name: 'Jardim das Flores', aliases: [] },
  { name: 'Edificio Las Encinas', aliases: ['ELE'] },
]);

describe('findProjectIn', () => {
  it('takes the first project named, not the longest name anywhere', () => {
    const text = 'Hola, me interesa el Mirador del Valle, depto de 2 dormitorios. Vi también Altos de Santa María de Manquehue pero es muy caro.';
    expect(findProjectIn(text, index)).toBe('Mirador del Valle');
  });

  it('at the same place the longest name wins', () => {
    expect(findProjectIn('Consulta por Parque Los Robles II, torre B', index)).toBe('Parque Los Robles II');
    expect(findProjectIn('Consulta por Parque Los Robles, torre B', index)).toBe('Parque Los Robles');
  });

  it('ignores the projects of a template’s other-listings section', () => {
    const decoys = ['Altos de Santa María de Manquehue', 'Mirador del Valle', 'Parque Los Robles II'].map((p) => `${p} desde UF 3.200`).join('\n');
    const about = `Nuevo contacto para tu aviso\nNombre: Ana Rojas\nProyecto consultado: ${'x '.repeat(3)}\nMensaje: Quisiera visitar Parque Los Robles el sábado.\n`;
    for (const header of ['Otros proyectos que te pueden interesar', 'Propiedades similares', 'También te puede interesar', 'Avisos recomendados']) {
      expect(findProjectIn(`${about}\n${header}\n${decoys}`, index), header).toBe('Parque Los Robles');
    }
    // Nothing asked about before the section: no project rather than a decoy.
    expect(findProjectIn(`Nombre: Ana Rojas\nOtros proyectos que te pueden interesar\n${decoys}`, index)).toBeNull();
  });

  it('a short alias that is also a word counts only when no name is in the text', () => {
    expect(findProjectIn('Olá! Ele ainda está disponível? Jardim das Flores, apto 12', index)).toBe('Jardim das Flores');
    expect(findProjectIn('Consulta ELE depto 1502', index)).toBe('Edificio Las Encinas');
  });

  it('reads Portuguese templates alike', () => {
    const text = 'Tenho interesse no Jardim das Flores.\nImóveis semelhantes\nMirador del Valle\nVocê também pode gostar: Parque Los Robles';
    expect(findProjectIn(text, index)).toBe('Jardim das Flores');
    expect(findProjectIn('Olá!\nOutros empreendimentos: Jardim das Flores', index)).toBeNull();
  });

  it('a long template of other listings: the one asked about, in its first lines', () => {
    const listing = (i: number) => `<tr><td>Departamento ${i}</td><td>${i % 2 ? 'Mirador del Valle' : 'Altos de Santa María de Manquehue'}</td><td>UF ${3000 + i}</td></tr>`;
    const html = `Consulta por Parque Los Robles\n${Array.from({ length: 400 }, (_, i) => listing(i)).join('\n')}`;
    expect(html.length).toBeGreaterThan(20_000);
    expect(findProjectIn(html, index)).toBe('Parque Los Robles');
  });
});

describe('a portal template with other listings, through the pipeline', () => {
  it('takes no phone, email, ID or project from the other listings', async () => {
    const { loadConfig } = await import('../src/config.ts');
    const { loadParsers } = await import('../src/parsers/load.ts');
    const { runPipeline } = await import('../src/pipeline/index.ts');
    const { config } = loadConfig('fixtures/config.yaml');
    const ctx = { parsers: loadParsers(config.parsersDir), projects: buildProjectIndex(config.projects), country: config.country, limits: config.limits, company: config.company };
    const others = Array.from({ length: 30 }, (_, i) => `<tr><td>Mirador del Valle, depto ${i}</td><td>Corredora ${i}: +56 9 8888 77${String(i).padStart(2, '0')}</td><td>corredora${i}@propiedades-ejemplo.cl</td><td>RUT 76.${100 + i}.200-${i % 10}</td></tr>`).join('\n');
    const html = `<html><body><p>Nombre: Ana Rojas</p><p>Mensaje: Quisiera visitar Parque Los Robles el sábado, escríbanme.</p>
<h3>Otros proyectos que te pueden interesar</h3><table>${others}</table></body></html>`;
    const eml = `From: Portal Ejemplo <avisos@portal-ejemplo.cl>\r\nReply-To: ana.rojas.v@gmail.com\r\nTo: ventas@inmobiliaria-prueba.cl\r\nSubject: Nuevo contacto\r\nMessage-ID: <decoy-1@portal-ejemplo.cl>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
    const o = await runPipeline(Buffer.from(eml), ctx);
    expect(o.kind).toBe('lead');
    if (o.kind !== 'lead') return;
    const { fields } = o;
    expect(fields.project).toBe('Parque Los Robles');
    expect(fields.phone ?? null).toBeNull();
    expect(fields.nationalId ?? null).toBeNull();
    expect(fields.email).toBe('ana.rojas.v@gmail.com');
  });
});
