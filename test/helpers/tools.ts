import fs from 'node:fs';
import { dovecotAvailable } from './dovecot.ts';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether a suite must skip for want of an external tool. On a developer's machine a missing
 * Dovecot, Chromium or PostgreSQL skips its suites (with the reason printed); in CI (CI set) it
 * fails the run instead, so a missing install step can never pass as green.
 */
export function missingTool(name: string, present: boolean): boolean {
  if (present) return false;
  const hint = `${name} is not installed (see README: apt-get install -y dovecot-imapd chromium postgresql)`;
  if (process.env.CI) throw new Error(`${hint}; CI must not skip this suite`);
  console.warn(`skipping: ${hint}`);
  return true;
}

export const noChromium = (): boolean => missingTool('chromium', fs.existsSync(CHROMIUM));
export const noDovecot = (): boolean => missingTool('dovecot', dovecotAvailable());
export const noPostgres = (): boolean => missingTool('postgresql', Boolean(process.env.CENTRALIZER_TEST_PG_URL));
