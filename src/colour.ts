import { Chalk, type ChalkInstance } from 'chalk';

/**
 * The one place that decides whether haco's output is coloured; every coloured word goes through
 * stdoutColours / stderrColours / coloursFor(stream). chalk's own default instance is not used: chalk 5
 * does not read NO_COLOR, which the README promises. The rules, first match wins:
 * - NO_COLOR set and not empty → no colour (https://no-color.org);
 * - FORCE_COLOR: `0` or `false` → no colour, any other non-empty value → colour, even on a pipe;
 * - TERM=dumb → no colour;
 * - else colour exactly when the stream is a terminal.
 * oclif's own help text follows the same NO_COLOR/FORCE_COLOR rules in its colour library (ansis).
 */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force) return force !== '0' && force !== 'false';
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

// Basic colours only (level 1): haco uses the sixteen named ones, which every terminal has.
const ON = new Chalk({ level: 1 });
const OFF = new Chalk({ level: 0 });

/** The chalk to style text written to STREAM with. */
export function coloursFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return colourWanted(stream, env) ? ON : OFF;
}

/** For text on stdout (plan summaries, explain, diff, doctor). */
export function stdoutColours(): ChalkInstance {
  return coloursFor(process.stdout);
}

/** For text on stderr (errors, hints, progress). */
export function stderrColours(): ChalkInstance {
  return coloursFor(process.stderr);
}
