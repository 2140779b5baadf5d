/**
 * The launch spec's line format (docs/launch-spec.md, "Encoding"): one step per line, fields separated by
 * one space, every field percent-encoded so that a path or an env value with spaces or newlines stays one
 * field. The C side decodes with a dozen lines of code; that simplicity is why this is not JSON.
 */

/** First line of every spec; the launcher refuses any other version. */
export const SPEC_VERSION = 1;
export const SPEC_HEADER = `haco-launch ${SPEC_VERSION}`;

/** How an empty string is written: `%-` cannot be produced by encoding anything else (`-` is not hex). */
const EMPTY_FIELD = '%-';
/** A lone `-` in a list field means "no items". */
export const NONE = '-';

/**
 * One entry of a spec being built: a step with its raw (unencoded) fields, or a comment for learners.
 * Compilers use `SpecEntry<StepName>` so that only steps of the table (src/runtime/steps.ts) get in.
 */
export type SpecEntry<S extends string = string> = { kind: 'step'; step: S; fields: readonly string[] } | { kind: 'comment'; text: string };

export interface RenderedSpec {
  /** The lines without their `\n`, header first. */
  lines: string[];
  /** The whole spec, `\n` terminated, ready for `haco-launch --spec-fd`. */
  text: string;
}

const MUST_ENCODE = /[\x00-\x20%\x7f]/g;

/**
 * Percent-encode one field. Only ASCII bytes are ever encoded, so working on UTF-16 units is exact.
 * One regex pass: this runs for every field of every spec on `haco start`'s hot path.
 */
export function encodeField(value: string): string {
  if (value === '') return EMPTY_FIELD;
  // No path, argument or env value can hold a NUL (C strings); the launcher refuses %00, so fail here.
  if (value.includes('\0')) throw new RangeError(`a launch spec field cannot contain a NUL byte: ${JSON.stringify(value)}`);
  return value.replace(MUST_ENCODE, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Inverse of encodeField. Accepts any `%XX` (also non-ASCII bytes), decoding the result as UTF-8. */
export function decodeField(field: string): string {
  if (field === EMPTY_FIELD) return '';
  if (!field.includes('%')) return field;
  const bytes: number[] = [];
  const raw = Buffer.from(field, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === 0x25) {
      const hex = raw.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new SyntaxError(`bad percent escape in launch spec field "${field}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A comma list field (`mount,uts`), `-` when empty. Items are the caller's; they must not contain commas. */
export function listField(items: readonly (string | number)[]): string {
  return items.length === 0 ? NONE : items.join(',');
}

/** One step as a spec line. */
export function renderStep(step: string, fields: readonly string[] = []): string {
  return [step, ...fields].map(encodeField).join(' ');
}

/** A comment line; newlines inside the text become separate comment lines so the format stays line based. */
export function renderComment(text: string): string[] {
  return text.split('\n').map((line) => (line === '' ? '#' : `# ${line}`));
}

export function renderSpec(entries: readonly SpecEntry[], options: { comments?: boolean } = {}): RenderedSpec {
  const comments = options.comments ?? true;
  const lines = [SPEC_HEADER];
  for (const entry of entries) {
    if (entry.kind === 'step') lines.push(renderStep(entry.step, entry.fields));
    else if (comments) lines.push(...renderComment(entry.text));
  }
  return { lines, text: lines.join('\n') + '\n' };
}

export interface ParsedStep {
  step: string;
  fields: string[];
  /** 1-based line number in the text, for error messages. */
  line: number;
}

/** Decode a spec (tests, `haco plan --launch` round trips). Throws SyntaxError on a bad header or escape. */
export function parseSpec(text: string): ParsedStep[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const steps: ParsedStep[] = [];
  let sawHeader = false;
  lines.forEach((line, index) => {
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(' ').map(decodeField);
    if (!sawHeader) {
      if (line !== SPEC_HEADER) throw new SyntaxError(`launch spec must start with "${SPEC_HEADER}", got "${line}"`);
      sawHeader = true;
      return;
    }
    const [step, ...fields] = parts;
    steps.push({ step: step!, fields, line: index + 1 });
  });
  if (!sawHeader) throw new SyntaxError(`launch spec is empty (no "${SPEC_HEADER}" header)`);
  return steps;
}
