/**
 * `-e KEY` (start, attach, --env-file) passes haco's own value of KEY, as docker does; an unset KEY is
 * left out. `KEY=VALUE` is kept as written.
 */
export function withHostValue(entry: string, hostEnv: NodeJS.ProcessEnv): string[] {
  if (entry.includes('=')) return [entry];
  const value = hostEnv[entry];
  return value === undefined ? [] : [`${entry}=${value}`];
}
