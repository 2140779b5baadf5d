import * as fs from 'node:fs';

/** One line of /etc/subuid or /etc/subgid that belongs to a user: COUNT ids from START. */
export interface IdRange {
  start: number;
  count: number;
}

/**
 * The subordinate ranges /etc/subuid (or /etc/subgid) grants USER (by name or by numeric id, as
 * newuidmap(1) accepts both), in file order. A missing or unreadable file is no range: the caller then
 * falls back to a single-id map and says what that cannot do.
 */
export function subordinateRanges(file: string, user: { name?: string; id: number }): IdRange[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const ranges: IdRange[] = [];
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (!who || start === undefined || count === undefined || who.startsWith('#')) continue;
    if (who !== user.name && who !== String(user.id)) continue;
    const s = Number(start);
    const n = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(n) && s >= 0 && n > 0) ranges.push({ start: s, count: n });
  }
  return ranges;
}
