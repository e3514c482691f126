/**
 * `1 record`, `3 records`: the count and the noun in the right number (English, with an optional
 * irregular plural).
 *
 * @example
 * ```ts
 * plural(1, 'rating'); // '1 rating'
 * plural(2, 'policy', 'policies'); // '2 policies'
 * ```
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${new Intl.NumberFormat('en-US').format(count)} ${count === 1 ? one : many}`;
}
