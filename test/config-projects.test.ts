import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';

const load = (projects: string) => () => parseConfig(`country: CL\nprojects:\n${projects}`, 'config/c.yaml', {});

describe('project names and aliases lead to one project', () => {
  it('an alias equal to another project\'s name is refused, naming both projects with file and line', () => {
    const run = load('  - name: Parque Los Robles\n    aliases: [PLR]\n  - name: Vista Mar\n    aliases: [Vista, parque los robles]\n');
    expect(run).toThrow(/^config\/c\.yaml:6:\d+: projects\.1\.aliases\.1: el alias "parque los robles" del proyecto "Vista Mar" choca con el nombre "Parque Los Robles" del proyecto "Parque Los Robles" \(config\/c\.yaml:3:\d+: projects\.0\.name\)/);
  });

  it('one alias on two projects is refused, folded as matching folds (case, accents, filler words)', () => {
    const run = load('  - {name: Torre Norte, aliases: [Edificio Ñuñoa]}\n  - {name: Torre Sur, aliases: [ÑUÑOA]}\n');
    expect(run).toThrow(/projects\.1\.aliases\.0: el alias "ÑUÑOA" del proyecto "Torre Sur" choca con el alias "Edificio Ñuñoa" del proyecto "Torre Norte"/);
    expect(load('  - {name: Plaza Egaña}\n  - {name: plaza egana}\n')).toThrow(/el nombre "plaza egana" del proyecto "plaza egana" choca con el nombre "Plaza Egaña"/);
  });

  it('every collision is listed at once', () => {
    try {
      load('  - {name: A1, aliases: [x1, y1]}\n  - {name: B1, aliases: [X1, Y1]}\n')();
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message.split('\n')).toHaveLength(2);
    }
  });

  it('distinct projects, and an alias repeating its own project\'s name, are fine', () => {
    const c = load('  - {name: Parque Los Robles, aliases: [PLR, parque los robles]}\n  - {name: Parque Los Robles II, aliases: [PLR2]}\n')();
    expect(c.projects.map((p) => p.name)).toEqual(['Parque Los Robles', 'Parque Los Robles II']);
  });
});
