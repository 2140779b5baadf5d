/**
 * Byte sizes as people write them in definitions: 67108864, "64M", "64MiB", "1.5G".
 * Units are binary (K = 1024). "GB"/"MB" are refused rather than guessed: they mean 10^9 to some
 * readers and 2^30 to others, and a memory limit that is 7% off is a bug that hides well.
 */
export type Size = number | `${number}` | `${number}${SizeUnit}`;
export type SizeUnit = 'k' | 'K' | 'KiB' | 'm' | 'M' | 'MiB' | 'g' | 'G' | 'GiB' | 't' | 'T' | 'TiB';

const FACTORS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

export type SizeResult = { ok: true; bytes: number } | { ok: false; message: string; hint: string };

export function parseSize(input: unknown): SizeResult {
  const hint = 'write a number of bytes or a number with a binary unit, e.g. 64M, 512MiB, 2G';
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 0) return { ok: true, bytes: input };
    return { ok: false, message: `size ${input} is not a whole, non-negative number of bytes`, hint };
  }
  if (typeof input !== 'string') return { ok: false, message: `size must be a number or a string`, hint };
  const match = /^(\d+(?:\.\d+)?)([kKmMgGtT](?:iB)?)?$/.exec(input);
  if (!match) {
    const spaced = /^(\d+(?:\.\d+)?)\s+([a-zA-Z]+)$/.exec(input);
    const decimal = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT])B$/.exec(input);
    let better = '';
    if (decimal) better = ` (did you mean "${decimal[1]}${decimal[2]!.toUpperCase()}"? haco sizes are binary)`;
    else if (spaced) better = ` (did you mean "${spaced[1]}${spaced[2]!.replace(/B$/i, '').toUpperCase()}"?)`;
    return { ok: false, message: `"${input}" is not a size${better}`, hint };
  }
  const factor = FACTORS[(match[2] ?? '').charAt(0).toLowerCase()]!;
  const bytes = Math.round(Number(match[1]) * factor);
  return { ok: true, bytes };
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
