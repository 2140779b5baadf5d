import { EXIT, HacoError } from '../../errors';
import { errorToJson, formatError } from './report';

export interface PerName {
  name: string;
  error?: HacoError;
}

/**
 * The report of a command acting on many containers (kill, stop, rm): one line per container that worked
 * on stdout, each error on stderr with its own code and hint (or, with --json, one array of objects, an
 * `error` member on those that failed). The exit status is the first failure's, 0 when all worked.
 */
export function reportPerName<T extends PerName>(items: readonly T[], json: boolean, line: (item: T) => string, fields: (item: T) => Record<string, unknown>): void {
  if (json) {
    const out = items.map((i) => ({ name: i.name, ok: !i.error, ...(i.error ? errorToJson(i.error) : fields(i)) }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const i of items) {
      if (i.error) process.stderr.write(`${formatError(i.error)}\n`);
      else process.stdout.write(line(i));
    }
  }
  const failed = items.find((i) => i.error);
  if (failed) process.exitCode = failed.error?.exitCode ?? EXIT.failure;
}
