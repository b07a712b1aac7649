/** `value` as one shell word: unquoted when it has only plain version characters. */
export function shellArg(value: string): string {
  return /^[\w.+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
