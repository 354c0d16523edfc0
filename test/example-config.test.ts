// config/example.yaml explains every key: each key of the schema (src/config.ts) is in it, set or
// shown commented (`# key: value` at the key's own indentation), and both the file as shipped and
// the file with every commented setting switched on load with the real schema.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { configSchema, parseConfig } from '../src/config.ts';

const FILE = 'config/example.yaml';
const text = fs.readFileSync(FILE, 'utf8');
/** Every environment variable the example names resolves to a placeholder. */
const env = new Proxy({} as NodeJS.ProcessEnv, { get: (_t, k) => (k === 'CENTRALIZER_ADMIN_TOKEN' ? 'x'.repeat(30) : 'placeholder-secret-value') });

/** The example with every commented setting (`# key:` or `# - key:`) turned on. */
function everySettingOn(source: string): string {
  return source
    .split('\n')
    .map((l) => l.replace(/^(\s*)# ( *(?:- )?[A-Za-z_][\w]*:(?:\s|$))/, '$1$2'))
    .join('\n');
}

function unwrap(s: z.ZodType): z.ZodType {
  let t = s;
  while (t instanceof z.ZodDefault || t instanceof z.ZodOptional || t instanceof z.ZodPipe || t instanceof z.ZodNullable) t = (t instanceof z.ZodPipe ? t.in : t.unwrap()) as z.ZodType;
  return t;
}

/** Key paths of the schema, arrays as [], union branches merged: mailboxes[].auth.tenantId. */
function schemaPaths(s: z.ZodType, at = ''): string[] {
  const t = unwrap(s);
  if (t instanceof z.ZodObject) return Object.entries(t.shape as Record<string, z.ZodType>).flatMap(([k, v]) => [`${at}${k}`, ...schemaPaths(v, `${at}${k}.`)]);
  if (t instanceof z.ZodArray) return schemaPaths(t.element as z.ZodType, at.replace(/\.$/, '[].'));
  if (t instanceof z.ZodUnion) return (t.options as z.ZodType[]).flatMap((o) => schemaPaths(o, at));
  return [];
}

/** Key paths present in parsed YAML, in the same notation. */
function dataPaths(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((item) => dataPaths(item, at.replace(/\.$/, '[].')));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [`${at}${k}`, ...dataPaths(x, `${at}${k}.`)]);
  return [];
}

describe('config/example.yaml', () => {
  it('loads with the real schema as shipped, and with every commented setting on', () => {
    expect(() => parseConfig(text, FILE, env)).not.toThrow();
    expect(() => parseConfig(everySettingOn(text), `${FILE} (every setting on)`, env)).not.toThrow();
  });

  it('holds every key of the schema', () => {
    expect(new Set(schemaPaths(configSchema)).size).toBeGreaterThan(100); // the walk reaches nested objects, arrays and unions
    expect(missingKeys(everySettingOn(text)), `keys of src/config.ts missing from ${FILE}`).toEqual([]);
  });

  it('the walk notices a key that is missing', () => {
    expect(missingKeys(everySettingOn(text).replace(/^ {2}maxHtmlDepth:.*\n/m, ''))).toEqual(['limits.maxHtmlDepth']);
    expect(missingKeys(everySettingOn(text).replace(/^ {6}clientAuth:.*\n/m, ''))).toEqual(['mailboxes[].auth.clientAuth', 'smtp.auth.clientAuth']);
  });
});

/** Schema key paths the YAML text lacks. smtp.auth is the mailboxes' auth schema, explained once there; a form's `fields` keys are its own. */
function missingKeys(yaml: string): string[] {
  const inFile = new Set(dataPaths(parseDocument(yaml).toJS()));
  const sameAsMailbox = (p: string) => p.startsWith('smtp.auth.') && inFile.has(p.replace('smtp.auth.', 'mailboxes[].auth.'));
  return [...new Set(schemaPaths(configSchema))].filter((p) => !inFile.has(p) && !sameAsMailbox(p) && !/^intake\.forms\[\]\.fields\./.test(p));
}
