import type { PostStep } from '../parsers/schema.ts';
import { compilePattern } from '../parsers/patterns.ts';

const titleCase = (s: string) => s.toLowerCase().replace(/(^|[\s'-])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());

/** Per-field post-processing written in a parser config. */
export function applyPost(value: string, steps: PostStep[]): string {
  let v = value;
  for (const step of steps) {
    if (typeof step === 'string') {
      switch (step) {
        case 'trim': v = v.trim(); break;
        case 'lowercase': v = v.toLowerCase(); break;
        case 'uppercase': v = v.toUpperCase(); break;
        case 'titlecase': v = titleCase(v); break;
        case 'firstLine': v = v.split('\n')[0] ?? ''; break;
        case 'digits': v = v.replace(/\D+/g, ''); break;
        case 'collapseSpaces': v = v.replace(/\s+/g, ' ').trim(); break;
        case 'stripQuotes': v = v.replace(/^["'«“]+|["'»”]+$/g, ''); break;
      }
    } else if ('replace' in step) {
      v = compilePattern(step.replace[0], 'replace').replace(v, step.replace[1]);
    } else if ('before' in step) {
      const i = v.toLowerCase().indexOf(step.before.toLowerCase());
      if (i >= 0) v = v.slice(0, i);
    } else if ('after' in step) {
      const i = v.toLowerCase().indexOf(step.after.toLowerCase());
      if (i >= 0) v = v.slice(i + step.after.length);
    } else if ('maxLength' in step) {
      v = v.slice(0, step.maxLength);
    }
  }
  return v.trim();
}
