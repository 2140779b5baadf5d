// The ```sh haco-test blocks of the tutorial chapters and the expected-output match (format:
// docs/tutorial/README.md), shared by tutorial.test.ts (this host) and checkpoint-vm.test.ts (the VM tier).

export interface Snippet {
  chapter: string;
  line: number;
  script: string;
  expected: string[] | undefined;
  exit: number | 'any';
  /** `vm` in the info string: the block runs in the qemu VM tier (test/root/checkpoint-vm.test.ts), not here. */
  vm: boolean;
}

/** The haco-test blocks of one chapter, with the expected output block that follows each. */
export function parseSnippets(chapter: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```sh haco-test(\s+vm)?(?:\s+exit=(\d+|any))?\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const script = lines.slice(start, end).join('\n');
    let expected: string[] | undefined;
    if (lines[end + 1] === '```text') {
      let close = end + 2;
      while (close < lines.length && lines[close] !== '```') close++;
      expected = lines.slice(end + 2, close);
      i = close;
    } else i = end;
    out.push({ chapter, line: start, script, expected, exit: open[2] === undefined ? 0 : open[2] === 'any' ? 'any' : Number(open[2]), vm: open[1] !== undefined });
  }
  return out;
}

/** `...` lines match any number of lines; `[...]` inside a line matches any text. */
export function matchesOutput(expected: string[], actual: string[]): boolean {
  const patterns = expected.map((l) => (l === '...' ? null : new RegExp(`^${l.trimEnd().split('[...]').map(escape).join('.*')}$`)));
  const match = (p: number, a: number): boolean => {
    if (p === patterns.length) return a === actual.length;
    const pattern = patterns[p];
    if (pattern === null) {
      for (let k = a; k <= actual.length; k++) if (match(p + 1, k)) return true;
      return false;
    }
    return a < actual.length && pattern!.test(actual[a]!.trimEnd()) && match(p + 1, a + 1);
  };
  return match(0, 0);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
