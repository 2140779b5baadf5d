import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

describe('schema/plan.schema.json', () => {
  it('is generated from src/plan/types.ts and up to date (run node scripts/gen-schema.mjs)', () => {
    const root = path.join(__dirname, '../../..');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/gen-schema.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
  });
});
