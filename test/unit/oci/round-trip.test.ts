import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { haco } from '../../support/cli';

/**
 * haco export oci → haco import oci → the same plan: the mapping table read in both directions
 * (src/oci/runtime-config.ts and src/oci/import.ts). --link writes the config only, so no root is needed.
 */
describe('export oci + import oci round trip', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-oci-rt-'));
    fs.mkdirSync(path.join(dir, 'root'));
    fs.writeFileSync(path.join(dir, 'root/marker'), '');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a definition with most settings plans the same after the trip', () => {
    const a = path.join(dir, 'a.haco.ts');
    fs.writeFileSync(
      a,
      `import { defineContainer } from 'haco';\n` +
        `export default defineContainer('rt').rootfs(${JSON.stringify(path.join(dir, 'root'))}).command(['/bin/sh', '-c', 'echo hi']).env({ A: 'b c' }).workdir('/srv')\n` +
        `  .user({ uid: 5, gid: 6, groups: [7] }).hostname('h1').share('net').unshare('cgroup').memory({ max: '64M', swap: '16M' }).cpu('25%').pids(50)\n` +
        `  .rlimit('nofile', 100, 200).rlimit('core', 'unlimited').bind('/etc', '/mnt/etc', { readonly: true }).tmpfs('/scratch', { size: '8M', mode: '1777' })\n` +
        `  .dropCaps('kill').addCaps('sys_ptrace').readonlyRootfs().mapRootTo(100000, 65536).hook('afterExit', ['/bin/true'])\n` +
        `  .deviceNode('/dev/haco-rt-test', { type: 'c', major: 10, minor: 666, mode: 0o640, uid: 3, gid: 4 }).deviceNode('/dev/rt-fifo', { type: 'p' }).oomScoreAdj(300).cgroupPath('rt/app');\n`,
    );
    const env = { HACO_NO_CACHE: '1' };
    const bundle = path.join(dir, 'bundle');
    const exported = haco(['export', 'oci', a, '-o', bundle, '--link', '--json'], { cwd: dir, env });
    expect(exported.stderr).toBe('');
    expect(exported).toExitWith(0);
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { process: { rlimits: Array<{ type: string }> } };
    expect(config.process.rlimits.map((r) => r.type)).toEqual(['RLIMIT_NOFILE', 'RLIMIT_CORE']);
    // RLIM_INFINITY is written as the exact 64-bit number runc parses, not a rounded double.
    expect(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')).toContain('"hard": 18446744073709551615');

    const b = path.join(dir, 'b.haco.ts');
    const imported = haco(['import', 'oci', bundle, '-o', b], { cwd: dir, env });
    expect(imported).toExitWith(0);
    // haco's default profile is marked in the export (dev.haco.seccomp), so the import keeps the default.
    expect(imported.stderr).not.toContain('seccomp');
    const plan = (file: string) => {
      const r = haco(['plan', file, '--json'], { cwd: dir, env });
      if (r.status !== 0) throw new Error(`haco plan ${file}:\n${r.stderr}\n${fs.readFileSync(file, 'utf8')}`);
      return (JSON.parse(r.stdout) as { containers: unknown[] }).containers[0];
    };
    expect(plan(b)).toEqual(plan(a));
  });

  it('an own seccomp filter comes back as .seccomp(s => s.base("none")…) with the same rules', () => {
    const a = path.join(dir, 's.haco.ts');
    fs.writeFileSync(
      a,
      `import { defineContainer } from 'haco';\nexport default defineContainer('s').rootfs(${JSON.stringify(path.join(dir, 'root'))})` +
        `.seccomp((s) => s.block(['sethostname'], 'EACCES').rule({ syscalls: ['personality'], action: 'allow', args: [{ index: 0, op: 'eq', value: 8 }] }));\n`,
    );
    const env = { HACO_NO_CACHE: '1' };
    const bundle = path.join(dir, 's.bundle');
    expect(haco(['export', 'oci', a, '-o', bundle, '--link'], { cwd: dir, env })).toExitWith(0);
    const b = path.join(dir, 's2.haco.ts');
    const imported = haco(['import', 'oci', bundle, '-o', b], { cwd: dir, env });
    expect(imported).toExitWith(0);
    expect(fs.readFileSync(b, 'utf8')).toContain(".seccomp((s) => s.base('none').defaultAction({ errno: 1 })");
    // The same filter; only the plan's notes differ (profile: default, and which default rules may be skipped).
    const seccomp = (file: string) => {
      const r = haco(['plan', file, '--json'], { cwd: dir, env });
      if (r.status !== 0) throw new Error(r.stderr);
      const s = (JSON.parse(r.stdout) as { containers: Array<{ seccomp: { profile?: string; rules: Array<{ optional?: boolean }> } }> }).containers[0]!.seccomp;
      return { ...s, profile: undefined, rules: s.rules.map((rule) => ({ ...rule, optional: undefined })) };
    };
    expect(seccomp(b)).toEqual(seccomp(a));
  });

  it('what runtime-spec cannot say is listed, not dropped', () => {
    const a = path.join(dir, 'c.haco.ts');
    fs.writeFileSync(
      a,
      `import { defineContainer } from 'haco';\nexport default defineContainer('c').rootfs(${JSON.stringify(path.join(dir, 'root'))}).daemonize().reaper().restart('always').hook('afterFailure', 'true').persist('net', '/run/netns/x');\n`,
    );
    const r = haco(['export', 'oci', a, '-o', path.join(dir, 'c.bundle'), '--link', '--json'], { cwd: dir, env: { HACO_NO_CACHE: '1' } });
    expect(r).toExitWith(0);
    const fields = (JSON.parse(r.stdout) as { unmapped: Array<{ field: string }> }).unmapped.map((u) => u.field).sort();
    expect(fields).toEqual(['hooks.afterFailure', 'namespaces.persist', 'process.daemonize', 'process.reaper', 'restart']);
  });
});
