/**
 * Byte sizes as people write them in definitions: 67108864, "64M", "64MiB", "1.5G".
 * Units are binary (K = 1024). "GB"/"MB" are refused rather than guessed: they mean 10^9 to some
 * readers and 2^30 to others, and a memory limit that is 7% off is a bug that hides well.
 */
export type Size = number | SizeString;
export type SizeUnit = 'k' | 'K' | 'KiB' | 'm' | 'M' | 'MiB' | 'g' | 'G' | 'GiB' | 't' | 'T' | 'TiB';

/**
 * "64M", "1.5G", "4096": a number, then at most a unit, nothing between. TypeScript's `${number}` alone
 * also matches "512 " and " 512", so "512 M" would pass tsc and fail only at run time; the second and
 * third parts (starts with a digit, a digit right before the unit) make the editor refuse it.
 */
export type SizeString = (`${number}` | `${number}${SizeUnit}`) & `${Digit}${string}` & (`${string}${Digit}` | `${string}${Digit}${SizeUnit}`);

/** A decimal digit, for template-literal types that must start or end with one. */
export type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/**
 * "30%", "12.5%": a percentage as definitions write it (`.cpu('30%')`). Like SizeString, it refuses
 * "30 %" and " 30%" in the editor, which `${number}%` alone accepts.
 */
export type Percent = `${number}%` & `${Digit}${string}` & `${string}${Digit}%`;

const FACTORS: Record<string, bigint> = { '': 1n, k: 2n ** 10n, m: 2n ** 20n, g: 2n ** 30n, t: 2n ** 40n };

/** The largest size haco hands on: it must stay an exact number on its way to the launcher (8 PiB). */
export const SIZE_MAX = Number.MAX_SAFE_INTEGER;

export type SizeResult = { ok: true; bytes: number } | { ok: false; message: string; hint: string };

export function parseSize(input: unknown): SizeResult {
  const hint = 'write a number of bytes or a number with a binary unit, e.g. 64M, 512MiB, 2G';
  const tooLarge = { ok: false as const, message: `size ${String(input)} is larger than ${SIZE_MAX} bytes (8 PiB), more than any limit can mean`, hint };
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) return { ok: false, message: `size ${input} is not a whole, non-negative number of bytes`, hint };
    return input > SIZE_MAX ? tooLarge : { ok: true, bytes: input };
  }
  if (typeof input !== 'string') return { ok: false, message: `size must be a number or a string`, hint };
  const match = /^(\d+)(?:\.(\d+))?([kKmMgGtT](?:iB)?)?$/.exec(input);
  if (!match) {
    const spaced = /^(\d+(?:\.\d+)?)\s+([a-zA-Z]+)$/.exec(input);
    const decimal = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT])B$/.exec(input);
    let better = '';
    if (decimal) better = ` (did you mean "${decimal[1]}${decimal[2]!.toUpperCase()}"? haco sizes are binary)`;
    else if (spaced) better = ` (did you mean "${spaced[1]}${spaced[2]!.replace(/B$/i, '').toUpperCase()}"?)`;
    return { ok: false, message: `"${input}" is not a size${better}`, hint };
  }
  // Exact arithmetic: "99999999999T" must be refused as too large, not become 1.1e23 in a cgroup file.
  const factor = FACTORS[(match[3] ?? '').charAt(0).toLowerCase()]!;
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (BigInt(match[1]!) * scale + BigInt(fraction || '0')) * factor;
  const bytes = (scaled * 2n + scale) / (2n * scale); // rounded to the nearest byte
  if (bytes > BigInt(SIZE_MAX)) return tooLarge;
  return { ok: true, bytes: Number(bytes) };
}

/** 67108864 → "64M", for summaries. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  for (const [unit, factor] of [['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (bytes >= factor) return `${(bytes / factor).toFixed(1)}${unit}`;
  }
  return `${bytes}`;
}
