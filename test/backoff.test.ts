import { describe, expect, it } from 'vitest';
import { authFailureDelayMs, backoffDelayMs } from '../src/backoff.ts';

const r = (v: number) => () => v; // injected random: 0 = -jitter, 0.5 = none, 1 = +jitter

describe('backoffDelayMs', () => {
  it('doubles from 1 s with no jitter at random()=0.5', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, {}, r(0.5)))).toEqual([1000, 2000, 4000, 8000, 16000, 32000]);
  });

  it('applies +/-20 % jitter', () => {
    expect(backoffDelayMs(0, {}, r(0))).toBe(800);
    expect(backoffDelayMs(0, {}, r(1))).toBe(1200);
    expect(backoffDelayMs(3, {}, r(0))).toBe(6400);
    expect(backoffDelayMs(3, {}, r(1))).toBe(9600);
  });

  it('caps the exponential at 60 s before jitter', () => {
    expect(backoffDelayMs(6, {}, r(0.5))).toBe(60000);
    expect(backoffDelayMs(1000, {}, r(0.5))).toBe(60000); // 2^1000 overflows to Infinity
    expect(backoffDelayMs(6, {}, r(0))).toBe(48000);
    expect(backoffDelayMs(6, {}, r(1))).toBe(72000); // jitter is kept at the cap: no lockstep
  });

  it('honours options and rounds', () => {
    expect(backoffDelayMs(2, { baseMs: 100, factor: 3, maxMs: 10_000, jitter: 0 }, r(0.9))).toBe(900);
    expect(backoffDelayMs(10, { baseMs: 100, factor: 3, maxMs: 10_000, jitter: 0 }, r(0.9))).toBe(10000);
    expect(backoffDelayMs(0, { baseMs: 333, jitter: 0.1 }, r(0.25))).toBe(316); // 333 * 0.95 = 316.35
  });

  it('is never negative, and bad attempts count as 0', () => {
    expect(backoffDelayMs(0, { jitter: 2 }, r(0))).toBe(0);
    expect(backoffDelayMs(-5, {}, r(0.5))).toBe(1000);
    expect(backoffDelayMs(Number.NaN, {}, r(0.5))).toBe(1000);
  });

  it('uses Math.random by default, within the jitter band', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffDelayMs(2);
      expect(d).toBeGreaterThanOrEqual(3200);
      expect(d).toBeLessThanOrEqual(4800);
    }
  });
});

describe('authFailureDelayMs', () => {
  const MIN = 5 * 60_000;
  const MAX = 30 * 60_000;

  it('starts at 5 minutes and never goes below', () => {
    expect(authFailureDelayMs(0, r(0.5))).toBe(MIN);
    expect(authFailureDelayMs(0, r(0))).toBe(MIN);
    expect(authFailureDelayMs(0, r(1))).toBe(360_000);
    expect(authFailureDelayMs(1, r(0.5))).toBe(600_000);
  });

  it('is capped at 30 minutes', () => {
    expect(authFailureDelayMs(3, r(0.5))).toBe(MAX);
    expect(authFailureDelayMs(3, r(1))).toBe(MAX);
    expect(authFailureDelayMs(3, r(0))).toBe(1_440_000);
    expect(authFailureDelayMs(50, r(1))).toBe(MAX);
  });
});
