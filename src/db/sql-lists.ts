/** `?,?,?` for n values. */
export const marks = (n: number) => Array(n).fill('?').join(',');

/** `col = ?` or `col IN (?,…)`, pushing the values onto `params`. */
export function inList(col: string, values: readonly unknown[], params: unknown[]): string {
  params.push(...values);
  return values.length === 1 ? `${col} = ?` : `${col} IN (${marks(values.length)})`;
}
