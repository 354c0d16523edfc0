import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

// 526 real-world MIME fixtures from nine parser projects (provenance: fixtures/corpus/mime/SOURCES.md).
const CORPUS = path.resolve('fixtures/corpus/mime');

describe('hostile MIME corpus through replay', () => {
  it('gives one result per file, never a bueno, and ignores delivery reports and complaints', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
    let out = '';
    const code = await main(['replay', CORPUS, '--json', '--db', path.join(dir, 'c.db')], {
      out: { write: (s: string) => ((out += s), true) } as never,
      err: { write: () => true } as never,
    });
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    const files = (fs.readdirSync(CORPUS, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(CORPUS, f)).isFile() && !/\.(md|json)$/.test(f));
    expect(lines).toHaveLength(files.length);
    expect(lines.filter((l) => l.quality === 'bueno')).toEqual([]);
    const reason = (suffix: string) => lines.find((l) => l.file.endsWith(suffix));
    for (const f of ['flanker/complaints/aol.eml', 'flanker/complaints/yahoo.eml', 'postal-mime/arf.eml']) expect(reason(f)?.ignored).toBe('complaint-report');
    for (const f of ['mailparser/delivery-status.eml', 'postal-mime/bounce.eml', 'flanker/bounce/office365.eml', 'flanker/bounce/gmail-no-dns.eml']) {
      expect(reason(f)?.ignored, f).toMatch(/delivery-report|bounce/);
    }
    expect(lines.filter((l) => l.status === 'error')).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
