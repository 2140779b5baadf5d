import * as fs from 'node:fs';
import * as path from 'node:path';

/** docs/tutorial: where the chapters are. */
export const TUTORIAL_DIR = path.resolve(__dirname, '../../docs/tutorial');

/**
 * The rootless mark of each chapter in DIR (`> **Rootless: yes** — …`, `> **ルートレス: ○** — …`),
 * undefined for a chapter without one.
 */
export function rootlessMarks(dir: string): Record<string, 'yes' | 'no' | undefined> {
  const marks: Record<string, 'yes' | 'no' | undefined> = {};
  for (const chapter of fs.readdirSync(dir).filter((f) => /^\d\d-.*\.md$/.test(f)).sort()) {
    const m = /^> \*\*(?:Rootless|ルートレス): (yes|no|○|×)\*\* — /m.exec(fs.readFileSync(path.join(dir, chapter), 'utf8'));
    marks[chapter] = m ? (m[1] === 'yes' || m[1] === '○' ? 'yes' : 'no') : undefined;
  }
  return marks;
}

/** The definition files a chapter shows (```ts file=PATH blocks), relative to the repository. */
export function chapterFiles(chapter: string): string[] {
  const text = fs.readFileSync(path.join(TUTORIAL_DIR, chapter), 'utf8');
  return [...text.matchAll(/^```ts file=(\S+)/gm)].map((m) => m[1]!);
}
