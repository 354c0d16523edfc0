/**
 * The asynchronous face of a synchronous read model: every method answers a promise of what the
 * SQLite class answers. The port's read interfaces are written as `AsyncOf<SqliteClass>`, so the
 * SQLite classes and their PostgreSQL twins (src/db/postgres/) are held to one signature.
 */
export type AsyncOf<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};
