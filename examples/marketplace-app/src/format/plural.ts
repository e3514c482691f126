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

/**
 * A validation message without its leading path, when the message already starts with it
 * (`"/q must be string"` at `/q` → `"must be string"`), so a UI that shows the path does not repeat it.
 *
 * @example
 * ```ts
 * messageAfterPath('/q', '/q must be string'); // 'must be string'
 * ```
 */
export function messageAfterPath(path: string, message: string): string {
  return path !== '' && message.startsWith(`${path} `) ? message.slice(path.length + 1) : message;
}
