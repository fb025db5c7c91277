/** Quote a literal for bash, so user values (paths, names, build args) stay one word. @internal */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}
