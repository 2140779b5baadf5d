// examples/debian.haco.ts, created and started for real (debootstrap: ~1 minute). Downloads are cached in
// the same place as bootstrap-debian.test.ts (/var/cache/haco-test/debootstrap/KEY, debootstrap's
// --cache-dir), so CI fetches the packages once. The rootfs goes where the example says, the default
// /var/lib/haco/debian/rootfs; it is removed afterwards unless it was there before the test.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findMirror, readAptSources } from '../../../src/bootstrap/apt-mirror';
import { HACO_BIN, REPO } from '../../support/cli';

const CACHE = process.env['HACO_TEST_CACHE'] ?? '/var/cache/haco-test';
const SUITE = 'bookworm';
const mirror = findMirror(SUITE, readAptSources()) ?? 'http://deb.debian.org/debian';
const key = `${SUITE}-minbase-${createHash('sha256').update(mirror).digest('hex').slice(0, 12)}`;
const HOME = '/var/lib/haco/debian';
const canRun = process.getuid?.() === 0 && fs.existsSync('/usr/sbin/debootstrap') && fs.existsSync(path.join(REPO, 'native/build/haco-launch'));

jest.setTimeout(600_000);

(canRun ? describe : describe.skip)('examples/debian.haco.ts (slow)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-ex-debian-'));
  const existed = fs.existsSync(HOME);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    HACO_RUN_DIR: path.join(work, 'run'),
    HACO_STATE_ROOT: path.join(work, 'state'),
    HACO_CACHE_DIR: path.join(work, 'cache'),
    HACO_DEBOOTSTRAP_CACHE: path.join(CACHE, 'debootstrap', key),
  };
  const run = (args: string[]) => spawnSync(HACO_BIN, args, { cwd: REPO, env, encoding: 'utf8', input: '', timeout: 540_000 });

  afterAll(() => {
    // Never delete through a mount (a bind of the host would take host files with it).
    const mounted = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => (l.split(' ')[4] ?? '').startsWith(HOME));
    if (!existed && !mounted) fs.rmSync(HOME, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('debootstrap + post step + provision, then Debian 12 inside', () => {
    if (existed) console.warn(`${HOME} existed before the test: it is reused and kept`);
    fs.mkdirSync(env['HACO_DEBOOTSTRAP_CACHE']!, { recursive: true });
    const create = run(['create', 'examples/debian.haco.ts']);
    expect({ status: create.status, stderr: create.stderr.slice(-2000) }).toMatchObject({ status: 0 });
    // The post step trimmed the docs; the provision step wrote the motd inside.
    expect(fs.readdirSync(path.join(HOME, 'rootfs/usr/share/doc'))).toEqual([]);
    expect(fs.readFileSync(path.join(HOME, 'rootfs/etc/motd'), 'utf8')).toBe('haco debian example\n');

    const os_ = run(['start', 'examples/debian.haco.ts', '--', 'cat', '/etc/os-release']);
    expect(os_).toExitWith(0);
    expect(os_.stdout).toContain('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"');

    // minbase plus the two included packages: apt and the essentials, on the order of a hundred.
    const pkgs = run(['start', 'examples/debian.haco.ts', '--', 'sh', '-c', 'apt list --installed 2>/dev/null | wc -l; command -v ip; command -v ps']);
    expect(pkgs).toExitWith(0);
    const [count, ...tools] = pkgs.stdout.trim().split('\n');
    expect(Number(count)).toBeGreaterThan(60);
    expect(Number(count)).toBeLessThan(200);
    // iproute2 and procps from `include`: ip and ps are there (sbin or bin, whatever PATH finds first).
    expect(tools).toEqual([expect.stringMatching(/\/ip$/), expect.stringMatching(/\/ps$/)]);
  });
});
