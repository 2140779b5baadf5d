import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HacoError } from '../../../src/errors';
import { runHooks, type OciHooks } from '../../../src/oci-runtime/hooks';
import type { OciState } from '../../../src/oci-runtime/state';

// The runtime's (host) points need no root: real /bin/sh hooks, their stdin, env, argv[0], timeout, failures.
describe('runtime-spec hooks (host points)', () => {
  const state: OciState = { ociVersion: '1.0.2', id: 'ocicli-h', status: 'created', pid: 4242, bundle: '/b', annotations: { a: 'b' } };
  let dir: string;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocicli-hooks-'));
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the State on stdin, only the hook\'s env, and args[0] as argv[0], in order', () => {
    const out = path.join(dir, 'out');
    const sh = (n: number) => ({ path: '/bin/sh', args: ['my-hook', '-c', `cat >> ${out}; echo " $0 $N ${'${HOME-unset}'}" >> ${out}`], env: [`N=${n}`] });
    runHooks({ prestart: [sh(1), sh(2)] }, 'prestart', state);
    const lines = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(lines).toEqual([`${JSON.stringify(state)} my-hook 1 unset`, `${JSON.stringify(state)} my-hook 2 unset`]);
  });

  it('a failing prestart throws E_OCI_HOOK with the point, index, path, status and stderr; the next hook does not run', () => {
    const out = path.join(dir, 'never');
    const hooks: OciHooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'echo bad >&2; exit 3'] }, { path: '/bin/sh', args: ['sh', '-c', `touch ${out}`] }] };
    let error: unknown;
    try {
      runHooks(hooks, 'createRuntime', state);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HacoError);
    expect((error as HacoError).code).toBe('E_OCI_HOOK');
    expect((error as HacoError).message).toBe('hooks.createRuntime[0] /bin/sh: exited with status 3 (its stderr: bad)');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a hook past its timeout is killed: an error for prestart, a warning for poststop (the next one runs)', () => {
    const slow = { path: '/bin/sleep', args: ['sleep', '20'], timeout: 1 };
    const started = Date.now();
    expect(() => runHooks({ prestart: [slow] }, 'prestart', state)).toThrow('hooks.prestart[0] /bin/sleep: killed after its timeout of 1 s');
    expect(Date.now() - started).toBeLessThan(10_000);
    const out = path.join(dir, 'after');
    runHooks({ poststop: [slow, { path: '/bin/sh', args: ['sh', '-c', `touch ${out}`] }] }, 'poststop', { ...state, status: 'stopped' });
    expect(fs.existsSync(out)).toBe(true);
    expect((stderr.mock.calls as unknown[][]).map((c) => String(c[0])).join('')).toContain('haco: warning: hooks.poststop[0] /bin/sleep: killed after its timeout of 1 s');
  });

  it('a hook that exits without reading the State is judged by its status, not by the broken pipe', () => {
    // A State larger than a pipe's buffer: the write meets EPIPE whenever the hook does not read it.
    const big: OciState = { ...state, annotations: { big: 'x'.repeat(1 << 20) } };
    expect(() => runHooks({ prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 0'] }] }, 'prestart', big)).not.toThrow();
    expect(() => runHooks({ prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'echo no-way >&2; exit 7'] }] }, 'prestart', big)).toThrow(
      'hooks.prestart[0] /bin/sh: exited with status 7 (its stderr: no-way)',
    );
  });

  it('a hook that cannot run names its errno', () => {
    expect(() => runHooks({ prestart: [{ path: '/nonexistent/hook' }] }, 'prestart', state)).toThrow('hooks.prestart[0] /nonexistent/hook: could not run: ENOENT');
  });
});
