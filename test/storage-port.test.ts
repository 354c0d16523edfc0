import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/sqlite/open.ts';
import { io, runAsync, runSync, type StoreTx } from '../src/db/port.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { AppError, httpErrorOf } from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';

let dir: string;
let store: Store;
const raw = (n: number) => ({ source: 'file' as const, messageId: `<m${n}@t>`, sha256: `h${n}`, size: 1, raw: Buffer.from('x'), receivedAt: 1 });
const count = (s: Store) => s.sqlite.prepare('select count(*) from raw_emails').pluck().get() as number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'port-'));
  store = new Store(openDatabase(path.join(dir, 'p.db')));
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the one write path', () => {
  it('refuses a write outside a unit of work', () => {
    expect(() => store.insertRaw(raw(1), 1)).toThrow(/outside a unit of work/);
    expect(count(store)).toBe(0);
  });

  it('commits a unit of work whole, or nothing of it', async () => {
    await store.unitOfWork(function* (tx) {
      yield* io(tx.insertRaw(raw(1), 1));
      yield* io(tx.insertRaw(raw(2), 1));
    });
    expect(count(store)).toBe(2);
    await expect(
      store.unitOfWork(function* (tx) {
        yield* io(tx.insertRaw(raw(3), 1));
        throw new Error('midway');
      }),
    ).rejects.toThrow('midway');
    expect(count(store)).toBe(2);
    expect(store.sqlite.inTransaction).toBe(false);
  });

  it('opens BEGIN IMMEDIATE: a second writer waits, then fails as db.busy saying how long it waited', async () => {
    const other = new Store(openDatabase(path.join(dir, 'p.db')), createLogger('silent'));
    other.sqlite.pragma('busy_timeout = 150');
    try {
      store.sqlite.exec('BEGIN IMMEDIATE'); // another process holding the write lock
      const attempt = other.unitOfWork((tx) => io(tx.insertRaw(raw(9), 1)));
      await expect(attempt).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'db.busy' && /se esperó \d+ ms/.test(e.message) && e.status === 503);
      store.sqlite.exec('ROLLBACK');
      await other.unitOfWork((tx) => io(tx.insertRaw(raw(9), 1)));
      expect(count(store)).toBe(1);
    } finally {
      other.close();
    }
  });

  it('a nested unit joins the open one', async () => {
    const inner = await store.unitOfWork(function* (tx) {
      yield* io(tx.insertRaw(raw(1), 1));
      return { done: store.unitOfWork((inner) => io(inner.insertRaw(raw(2), 1))) };
    });
    await inner.done;
    expect(count(store)).toBe(2);
  });
});

describe('units of work over an asynchronous driver', () => {
  /** The store as a PostgreSQL adapter would answer: every call a promise. */
  const asyncTx = (s: Store) =>
    new Proxy(s, {
      get(target, key) {
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' && key !== 'projectId' ? (...args: unknown[]) => Promise.resolve().then(() => v.apply(target, args)) : v;
      },
    }) as unknown as StoreTx;

  it('the same generator runs with awaited calls, and a rejected call reaches its try/catch', async () => {
    store.sqlite.exec('BEGIN IMMEDIATE');
    const seen = await runAsync(
      (function* (tx: StoreTx) {
        const id = yield* io(tx.insertRaw(raw(1), 1));
        try {
          yield* io(tx.insertRaw({ ...raw(2), sha256: null as never }, 1)); // NOT NULL fails
        } catch {
          return { id, failed: true, found: (yield* io(tx.findExisting('<m1@t>', 'h1')))?.rawEmailId };
        }
        return { id, failed: false, found: null };
      })(asyncTx(store)),
    );
    store.sqlite.exec('COMMIT');
    expect(seen).toEqual({ id: 1, failed: true, found: 1 });
  });

  it('the synchronous driver refuses a unit that yields a promise', () => {
    expect(() => runSync((function* () { yield Promise.resolve(1); })())).toThrow(/asynchronous call/);
  });
});

describe('application errors', () => {
  it('carry a dotted code and the HTTP status the API answers with', () => {
    expect(httpErrorOf(new AppError('lead.not_found', 'lead 9 not found'))).toEqual({ status: 404, body: { error: 'lead 9 not found', code: 'lead.not_found' } });
    expect(httpErrorOf(new AppError('lead.invalid_transition', 'x'))?.status).toBe(409);
    expect(httpErrorOf(new Error('boom'))).toBeNull();
  });
});
