import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

describe('docs/dsl.md', () => {
  it('documents every DSL method and is generated from the current TSDoc', () => {
    const root = path.join(__dirname, '../../..');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/gen-dsl-docs.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
