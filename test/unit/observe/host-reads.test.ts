import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWord, recordHostReads, stillHolds } from '../../../src/observe/host-reads';

describe('recordHostReads', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-observe-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records reads, stats, listings and variables; each change is seen', async () => {
    const file = path.join(dir, 'a.txt');
    fs.writeFileSync(file, 'one');
    const { result, recording } = await recordHostReads(() => {
      const text = fs.readFileSync(file, 'utf8');
      fs.statSync(dir);
      fs.readdirSync(dir);
      return `${text}:${fs.existsSync(path.join(dir, 'b')) ? 'b' : '-'}:${process.env['HACO_OBSERVE_UNSET'] ?? 'unset'}`;
    });
    expect(result).toBe('one:-:unset');
    expect(recording.untracked).toBeUndefined();
    expect(recording.observed.map((o) => o.kind)).toEqual(['read', 'stat', 'readdir', 'exists', 'env']);
    expect(stillHolds(recording.observed)).toBe(true);
    fs.writeFileSync(file, 'two'); // same size
    expect(stillHolds(recording.observed)).toBe(false);
    fs.writeFileSync(file, 'one');
    const st = fs.statSync(dir);
    fs.utimesSync(dir, st.atime, st.mtime); // the directory's stat is back where it was
    expect(stillHolds(recording.observed.filter((o) => o.kind !== 'stat'))).toBe(true);
    fs.writeFileSync(path.join(dir, 'b'), '');
    expect(stillHolds(recording.observed.filter((o) => o.kind === 'exists'))).toBe(false);
    expect(stillHolds(recording.observed.filter((o) => o.kind === 'readdir'))).toBe(false);
  });

  it('a write, an fd call, a child process or listing the environment makes it untracked; fs is put back', async () => {
    const realWrite = fs.writeFileSync;
    for (const act of [
      () => fs.writeFileSync(path.join(dir, 'x'), 'x'),
      () => fs.closeSync(fs.openSync(path.join(dir, 'y'), 'w')),
      () => Object.keys(process.env),
      () => (require('node:os') as typeof import('node:os')).hostname(),
      () => (require('node:child_process') as typeof import('node:child_process')).spawnSync('true'),
    ]) {
      const { recording } = await recordHostReads(act);
      expect(recording.untracked).toBeDefined();
    }
    expect(fs.writeFileSync).toBe(realWrite);
    // Reads made by fs itself (readFileSync opens through openSync) do not count.
    fs.writeFileSync(path.join(dir, 'z'), 'z');
    const { recording } = await recordHostReads(() => fs.readFileSync(path.join(dir, 'z')));
    expect(recording.untracked).toBeUndefined();
  });

  it('encodes words as the front decodes them', () => {
    expect(encodeWord('')).toBe('%-');
    expect(encodeWord('-')).toBe('%2D');
    expect(encodeWord('a b%c')).toBe('a%20b%25c');
    expect(encodeWord('é')).toBe('%C3%A9');
  });
});
