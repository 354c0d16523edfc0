// The pure parts of a mailbox catch-up: where to resume, and UID sets.
import { describe, expect, it } from 'vitest';
import { resumeFrom, uidSet } from '../src/daemon/mailbox-sync.ts';

describe('resumeFrom', () => {
  it('starts at 0 for a mailbox never synced', () => {
    expect(resumeFrom(null, 7, 100)).toEqual({ lastUid: 0, reset: false });
  });
  it('resumes after the stored last UID', () => {
    expect(resumeFrom({ uidValidity: 7, lastUid: 41 }, 7, 50)).toEqual({ lastUid: 41, reset: false });
    expect(resumeFrom({ uidValidity: 7, lastUid: 41 }, 7, 42)).toEqual({ lastUid: 41, reset: false });
  });
  it('rescans when UIDVALIDITY changed', () => {
    expect(resumeFrom({ uidValidity: 7, lastUid: 41 }, 8, 500)).toEqual({ lastUid: 0, reset: true });
  });
  it('rescans when UIDNEXT is at or below the last UID (a reset that kept UIDVALIDITY)', () => {
    expect(resumeFrom({ uidValidity: 7, lastUid: 41 }, 7, 41)).toEqual({ lastUid: 0, reset: true });
    expect(resumeFrom({ uidValidity: 7, lastUid: 41 }, 7, 3)).toEqual({ lastUid: 0, reset: true });
  });
});

describe('uidSet', () => {
  it('compresses runs into ranges', () => {
    expect(uidSet([1, 2, 3, 5, 7, 8, 10])).toBe('1:3,5,7:8,10');
    expect(uidSet([42])).toBe('42');
    expect(uidSet([])).toBe('');
  });
});
