/**
 * FNV-1a (64 bit) as 16 hex digits: a stable fingerprint for names and change detection (cache file
 * names, the plan hash in a container's state, temporary interface names). Not for security — and
 * unlike node:crypto (~8 ms to load) it costs nothing on `haco start`'s hot path.
 */
export function fingerprint(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}
