import { UsageError } from '../../errors';
import { closest } from '../../plan/suggest';

/**
 * The command words at the start of ARGV checked against the command table (oclif ids such as
 * `net:bridge:create`, and aliases): a word that is neither a command nor a topic is a usage error that
 * names the closest command at that level (`haco plna` → "did you mean plan?"), instead of oclif's bare
 * "command plna not found". Returns undefined when oclif should go on: a command, a topic alone (its
 * help), no words at all or a flag first (`--help`, `--version`).
 */
export function unknownCommand(argv: readonly string[], ids: readonly string[]): UsageError | undefined {
  const words: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-')) return undefined;
    const id = [...words, word].join(':');
    if (ids.includes(id)) return undefined;
    if (!ids.some((i) => i.startsWith(`${id}:`))) return notFound(words, word, ids);
    words.push(word);
  }
  return undefined;
}

function notFound(words: string[], word: string, ids: readonly string[]): UsageError {
  const prefix = words.length > 0 ? `${words.join(':')}:` : '';
  const here = [...new Set(ids.filter((i) => i.startsWith(prefix)).map((i) => i.slice(prefix.length).split(':')[0]!))];
  const typed = [...words, word].join(' ');
  const helpFor = `haco help${words.length > 0 ? ` ${words.join(' ')}` : ''}`;
  if (words.length === 0 && /\.ts$/.test(word)) {
    return new UsageError(`"${word}" is not a command`, `a definition file comes after the command: haco start ${word} (or plan, explain, create); commands: \`${helpFor}\``);
  }
  const guess = closest(word, here);
  if (!guess) return new UsageError(`unknown command "${typed}"`, `commands: ${here.sort().join(', ')}; see \`${helpFor}\``);
  const meant = [...words, guess].join(' ');
  return new UsageError(`unknown command "${typed}" (did you mean "${meant}"?)`, `run \`haco ${meant} --help\` to see what it takes`);
}
