import { projectKey } from './pipeline/project.ts';
import { locate, type SourceLocator } from './yaml-errors.ts';

interface Label {
  project: number;
  name: string;
  /** Key path in the config file: projects.2.aliases.0 */
  at: (string | number)[];
}

/**
 * Names and aliases that fold to the same text (case, accents, punctuation and filler words such as
 * "Edificio", exactly as project matching folds them) on two projects: the first listed would win
 * every match and file the other's leads, and so its vendors, under it. One message per collision,
 * naming both projects with file and line.
 */
export function projectCollisions(projects: { name: string; aliases: string[] }[], file: string, loc?: SourceLocator): string[] {
  const seen = new Map<string, Label>();
  const out: string[] = [];
  const where = (at: (string | number)[]) => {
    const pos = loc ? locate(loc, at) : '';
    return `${file}${pos ? `:${pos}` : ''}`;
  };
  projects.forEach((p, i) => {
    const labels: Label[] = [{ project: i, name: p.name, at: ['projects', i, 'name'] }, ...p.aliases.map((a, j) => ({ project: i, name: a, at: ['projects', i, 'aliases', j] }))];
    for (const label of labels) {
      const key = projectKey(label.name);
      if (!key) continue;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, label);
        continue;
      }
      if (first.project === i) continue; // a project's alias that repeats its own name is harmless
      const kind = (l: Label) => (l.at[2] === 'name' ? 'el nombre' : 'el alias');
      out.push(
        `${where(label.at)}: ${label.at.join('.')}: ${kind(label)} "${label.name}" del proyecto "${p.name}" choca con ${kind(first)} "${first.name}" del proyecto "${projects[first.project].name}" (${where(first.at)}: ${first.at.join('.')}); cada nombre o alias debe llevar a un solo proyecto`,
      );
    }
  });
  return out;
}
