// The rules of the side-by-side proof (test/root/security-vs-runc.test.ts) on canned rows, and the link
// between its deliberate differences and docs/security.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  capMaskToNames,
  DELIBERATE_DIFFERENCES,
  deliberateKeysInDocs,
  formatTable,
  judge,
  judgeRow,
  normalize,
  parseProbe,
  PODMAN_CAPABILITIES,
} from '../support/security-compare';

const REPO = path.resolve(__dirname, '../..');

describe('the side-by-side proof: rules', () => {
  test('capability masks read as names in kernel order', () => {
    expect(capMaskToNames('0000000020000420')).toBe('kill,net_bind_service,audit_write');
    expect(capMaskToNames('0000000000000000')).toBe('(none)');
  });

  test('a capability set: subset is closed, a superset fails, the deliberate set is pinned exactly', () => {
    expect(judgeRow('status.CapAmb', 'kill,audit_write', '(none)').verdict).toBe('closed');
    expect(judgeRow('status.CapAmb', 'kill', 'kill,sys_admin')).toMatchObject({ verdict: 'FAIL', note: 'haco has more: sys_admin' });
    const ordered = 'chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,sys_chroot,setfcap';
    expect(capMaskToNames('00000000800405fb')).toBe(ordered);
    expect([...PODMAN_CAPABILITIES].sort()).toEqual(ordered.split(',').sort());
    expect(judgeRow('status.CapBnd', 'kill,net_bind_service,audit_write', ordered).verdict).toBe('deliberate');
    expect(judgeRow('status.CapBnd', 'kill,net_bind_service,audit_write', `${ordered},sys_admin`)).toMatchObject({
      verdict: 'FAIL',
      note: expect.stringContaining('haco has more: sys_admin'),
    });
    // Fewer than documented but still more than runc: still the deliberate difference, and the docs lag.
    expect(judgeRow('status.CapBnd', 'kill,net_bind_service,audit_write', 'chown,kill')).toMatchObject({
      verdict: 'deliberate',
      note: expect.stringContaining('more closed than documented'),
    });
    expect(judgeRow('mount./', 'ro @/', 'rw,nosuid @/').verdict).toBe('deliberate');
    expect(judgeRow('mount./', 'ro @/', 'ro @/').verdict).toBe('FAIL');
    // Closing further than documented is good news, but the documentation must follow: it fails too.
    expect(judgeRow('status.CapBnd', 'kill,net_bind_service,audit_write', 'kill').note).toMatch(/drop the deliberate difference/);
  });

  test('namespaces against the host, seccomp, devices, fds, mounts, masks', () => {
    const host = { net: 'net:[1]', pid: 'pid:[2]' };
    const runc = normalize(parseProbe('ns.net=net:[9]\nns.pid=pid:[8]\n'), host);
    const haco = normalize(parseProbe('ns.net=net:[1]\nns.pid=pid:[7]\nstray output\n'), host);
    expect(judge(runc, haco).map((r) => [r.key, r.runc, r.haco, r.verdict])).toEqual([
      ['ns.net', 'own', 'host', 'FAIL'],
      ['ns.pid', 'own', 'own', 'same'],
    ]);
    expect(judgeRow('status.Seccomp', '0', '2').verdict).toBe('closed');
    expect(judgeRow('status.NoNewPrivs', '1', '0').verdict).toBe('FAIL');
    expect(judgeRow('dev.open.kmsg', 'denied (Operation not permitted)', 'allowed').verdict).toBe('FAIL');
    expect(judgeRow('dev.mknod.mem', 'denied (Operation not permitted)', 'denied (Operation not permitted)').verdict).toBe('same');
    expect(judgeRow('dev.null.rw', 'allowed', 'denied (x)').verdict).toBe('FAIL');
    expect(judgeRow('fds', 'none', '9:/,251:pipe:[14577]')).toMatchObject({ verdict: 'FAIL', note: expect.stringContaining('9:/') });
    expect(judgeRow('fds', '10:pipe:[3]', '12:pipe:[4]').verdict).toBe('same');
    expect(judgeRow('mount./dev', 'rw,nosuid @/dev', 'rw,nosuid,noexec @/dev').verdict).toBe('closed');
    expect(judgeRow('mount./sys', 'ro,nosuid,nodev,noexec @/sys', 'rw,nosuid,nodev,noexec @/sys')).toMatchObject({ verdict: 'FAIL', note: 'haco lacks ro' });
    expect(judgeRow('readonly./proc/sys', 'ro @/proc/sys', 'absent').verdict).toBe('closed');
    expect(judgeRow('propagation./', 'private', 'shared').verdict).toBe('FAIL');
    expect(judgeRow('masked./proc/keys', 'empty, masked', 'readable (120 bytes)').verdict).toBe('FAIL');
    expect(judgeRow('masked./proc/keys', 'empty, masked', 'unreadable').verdict).toBe('same');
    expect(judgeRow('hostname', 'runc', 'web').verdict).toBe('info');
    expect(judgeRow('ns.net', 'own', undefined)).toMatchObject({ verdict: 'FAIL', haco: '(missing)' });
    expect(judgeRow('something.new', 'a', 'a').note).toMatch(/no rule/);
  });

  test('the table names every row with both values and its verdict', () => {
    const table = formatTable([judgeRow('ns.net', 'own', 'host')]);
    expect(table.split('\n')[0]).toMatch(/^row\s+\| runc spec\s+\| haco default\s+\| verdict$/);
    expect(table).toMatch(/ns\.net\s+\| own\s+\| host\s+\| FAIL: runc gives the container its own namespace/);
  });
});

describe('the side-by-side proof: docs/security.md', () => {
  const docs = fs.readFileSync(path.join(REPO, 'docs/security.md'), 'utf8');

  test('its "Deliberate differences" table lists exactly the rows the test lets differ', () => {
    expect(deliberateKeysInDocs(docs).sort()).toEqual(DELIBERATE_DIFFERENCES.map((d) => d.key).sort());
  });

  test('every fixed row key of the probe has a rule', () => {
    const probe = fs.readFileSync(path.join(REPO, 'test/fixtures/security/probe.sh'), 'utf8');
    const keys = [...probe.matchAll(/^\s*row "?([\w./-]+)"? /gm)].map((m) => m[1]!);
    expect(keys).toEqual(expect.arrayContaining(['id.uid', 'setgroups', 'fds', 'net.interfaces', 'mounts.shared']));
    const unruled = keys.filter((k) => judgeRow(k, 'allowed', 'allowed').note?.startsWith('no rule'));
    expect(unruled).toEqual([]);
  });
});
