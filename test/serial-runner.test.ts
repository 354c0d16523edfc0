// Catch-ups of one mailbox never overlap: proven with fake timers, not sleeps.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SerialRunner } from '../src/daemon/serial-runner.ts';

describe('SerialRunner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A task that takes `ms` of (fake) time and records how many copies run at once. */
  function slowTask(ms: number) {
    const stats = { running: 0, maxRunning: 0, runs: 0 };
    const task = async () => {
      stats.running++;
      stats.runs++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      await new Promise((r) => setTimeout(r, ms));
      stats.running--;
    };
    return { stats, task };
  }

  it('a cron tick every second during a 5 s catch-up never starts a second one at once', async () => {
    const { stats, task } = slowTask(5_000);
    const runner = new SerialRunner(task);
    const tick = setInterval(() => void runner.request(), 1_000);
    await vi.advanceTimersByTimeAsync(30_000);
    clearInterval(tick);
    await vi.runAllTimersAsync();
    expect(stats.maxRunning).toBe(1);
    // Ticks during a run coalesce into one follow-up run: back to back, about 30 s / 5 s of them.
    expect(stats.runs).toBeGreaterThanOrEqual(5);
    expect(stats.runs).toBeLessThanOrEqual(7);
  });

  it('requests during a run cost exactly one more run', async () => {
    const { stats, task } = slowTask(1_000);
    const runner = new SerialRunner(task);
    const first = runner.request();
    await vi.advanceTimersByTimeAsync(10); // the first run is in flight
    expect(runner.busy).toBe(true);
    const later = [runner.request(), runner.request(), runner.request()];
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all([first, ...later]);
    expect(stats.runs).toBe(2);
    expect(runner.busy).toBe(false);
  });

  it('never runs the task on the caller stack (IMAP event handlers must not issue commands)', async () => {
    const { stats, task } = slowTask(10);
    const runner = new SerialRunner(task);
    void runner.request();
    expect(stats.runs).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(stats.runs).toBe(1);
    await vi.runAllTimersAsync();
  });

  it('a failing run is reported and does not stop later runs', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const runner = new SerialRunner(async () => {
      calls++;
      if (calls === 1) throw new Error('connection lost');
    }, (e) => errors.push(e));
    const p1 = runner.request();
    await vi.runAllTimersAsync();
    await p1; // resolves, never rejects
    const p2 = runner.request();
    await vi.runAllTimersAsync();
    await p2;
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('after stop() no run starts', async () => {
    const { stats, task } = slowTask(10);
    const runner = new SerialRunner(task);
    runner.stop();
    await runner.request();
    await vi.runAllTimersAsync();
    expect(stats.runs).toBe(0);
  });
});
