// Every tutorial chapter says whether it works without root, in both languages and in the contents list
// of each README; test/root/rootless.test.ts starts the files of the chapters marked "yes" as a user.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rootlessMarks, TUTORIAL_DIR } from '../support/tutorial-marks';

describe('tutorial: the rootless mark of each chapter', () => {
  it('is in every chapter, the same in Japanese, and in both contents lists', () => {
    const en = rootlessMarks(TUTORIAL_DIR);
    expect(Object.keys(en).length).toBeGreaterThanOrEqual(6);
    for (const [chapter, mark] of Object.entries(en)) expect({ chapter, mark }).toEqual({ chapter, mark: expect.stringMatching(/^(yes|no)$/) });
    expect(rootlessMarks(path.join(TUTORIAL_DIR, 'ja'))).toEqual(en);
    for (const [readme, yes, no] of [['README.md', 'rootless: yes', 'rootless: no'], ['ja/README.md', 'ルートレス: ○', 'ルートレス: ×']] as const) {
      const text = fs.readFileSync(path.join(TUTORIAL_DIR, readme), 'utf8');
      for (const [chapter, mark] of Object.entries(en)) {
        const line = text.split('\n').find((l) => l.includes(`](${chapter})`));
        expect({ readme, chapter, line: line?.endsWith(mark === 'yes' ? yes : no) }).toEqual({ readme, chapter, line: true });
      }
    }
  });
});
