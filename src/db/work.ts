/**
 * Units of work as generator functions over a `StoreTx` (see port.ts): each port call inside one is
 * written `yield* io(tx.call())`; the SQLite adapter drives the generator synchronously inside one
 * BEGIN IMMEDIATE … COMMIT (runSync), a PostgreSQL adapter awaits each yielded promise (runAsync).
 */

/** A port call's result: a value (SQLite) or a promise of it (an asynchronous driver). */
export type Awaitable<T> = T | Promise<T>;

/** A unit of work: run by `Storage.unitOfWork`, never by hand. */
export type Work<T> = Generator<unknown, T, unknown>;

/** Inside a unit of work, the result of one port call: `const lead = yield* io(tx.lead(id))`. */
export function* io<T>(value: Awaitable<T>): Generator<Awaitable<T>, T, unknown> {
  return (yield value) as T;
}

/** Drives a unit of work whose calls all answered synchronously (the SQLite adapter). */
export function runSync<T>(work: Work<T>): T {
  let step = work.next();
  while (!step.done) {
    if (step.value instanceof Promise) throw new Error('an asynchronous call inside a synchronous unit of work');
    step = work.next(step.value);
  }
  return step.value;
}

/** Drives a unit of work over an asynchronous driver: each yielded promise is awaited in turn. */
export async function runAsync<T>(work: Work<T>): Promise<T> {
  let step = work.next();
  while (!step.done) {
    let value: unknown;
    try {
      value = await step.value;
    } catch (err) {
      step = work.throw(err);
      continue;
    }
    step = work.next(value);
  }
  return step.value;
}
