import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAtomically, tempPathFor } from '../../../src/bootstrap/atomic';
import { InterruptedError } from '../../../src/bootstrap/errors';

describe('atomic rootfs build', () => {
  let tmp: string;
  let target: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-atomic-'));
    target = path.join(tmp, 'c1', 'rootfs');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('builds beside the target and renames into place', async () => {
    let seen = '';
    const built = await buildAtomically(target, { force: false }, async (work) => {
      seen = work.dir;
      expect(fs.existsSync(target)).toBe(false);
      fs.writeFileSync(path.join(work.dir, 'marker'), 'new');
    });
    expect(built).toBe(true);
    expect(seen).toBe(`${target}.haco-new-${process.pid}`);
    expect(fs.readFileSync(path.join(target, 'marker'), 'utf8')).toBe('new');
    expect(fs.statSync(target).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['rootfs']);
  });

  it('keeps an existing target without force, replaces it with force', async () => {
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, 'marker'), 'old');
    const build = jest.fn(async (work: { dir: string }) => fs.writeFileSync(path.join(work.dir, 'marker'), 'new'));
    expect(await buildAtomically(target, { force: false }, build)).toBe(false);
    expect(build).not.toHaveBeenCalled();
    expect(await buildAtomically(target, { force: true }, build)).toBe(true);
    expect(fs.readFileSync(path.join(target, 'marker'), 'utf8')).toBe('new');
    expect(fs.readdirSync(path.dirname(target))).toEqual(['rootfs']);
  });

  it('removes the temporary tree, scratch paths and the parents it made when the build fails', async () => {
    let scratch = '';
    await expect(
      buildAtomically(target, { force: false }, async (work) => {
        fs.mkdirSync(path.join(work.dir, 'etc'));
        scratch = work.scratch(`${work.dir}.lxc`);
        fs.mkdirSync(path.join(scratch, 'deep'), { recursive: true });
        throw new Error('strategy failed');
      }),
    ).rejects.toThrow('strategy failed');
    expect(fs.existsSync(scratch)).toBe(false);
    expect(fs.existsSync(tempPathFor(target))).toBe(false);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('a failed --force rebuild leaves the old tree untouched', async () => {
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, 'marker'), 'old');
    await expect(buildAtomically(target, { force: true }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(fs.readFileSync(path.join(target, 'marker'), 'utf8')).toBe('old');
    expect(fs.readdirSync(path.dirname(target))).toEqual(['rootfs']);
  });

  it('SIGINT aborts the build signal, cleans up and reports an interruption', async () => {
    const listenersBefore = process.listenerCount('SIGINT');
    const result = buildAtomically(target, { force: false }, async (work) => {
      fs.writeFileSync(path.join(work.dir, 'half'), '');
      process.emit('SIGINT', 'SIGINT');
      expect(work.signal.aborted).toBe(true);
    });
    await expect(result).rejects.toBeInstanceOf(InterruptedError);
    await expect(result).rejects.toMatchObject({ exitCode: 130 });
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(listenersBefore);
  });

  it('an unwritable parent is a clear error and nothing is made', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    await expect(buildAtomically(path.join(file, 'rootfs'), { force: false }, async () => {})).rejects.toMatchObject({ code: 'E_ROOTFS_PARENT' });
  });
});
