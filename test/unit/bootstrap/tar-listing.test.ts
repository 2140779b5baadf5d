import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectCompression } from '../../../src/bootstrap/compression';
import { findTarProblems, normalizeEntryName, parseListingLine, type TarEntry } from '../../../src/bootstrap/tar-listing';
import { listArchive } from '../../../src/bootstrap/tar-list';

const file = (name: string): TarEntry => ({ type: '-', name });
const dir = (name: string): TarEntry => ({ type: 'd', name });
const symlink = (name: string, link: string): TarEntry => ({ type: 'l', name, link });
const hardlink = (name: string, link: string): TarEntry => ({ type: 'h', name, link });

describe('tar listing parser', () => {
  it('parses files, symlinks and hard links of `tar -tv --quoting-style=c`', () => {
    expect(parseListingLine('-rw-r--r-- root/root         3 2026-11-23 10:14 "./d/a b"')).toEqual({ type: '-', name: './d/a b' });
    expect(parseListingLine('lrwxrwxrwx root/root         0 2026-11-23 10:14 "./d/s -> x" -> "/etc"')).toEqual({ type: 'l', name: './d/s -> x', link: '/etc' });
    expect(parseListingLine('hrw-r--r-- root/root         0 2026-11-23 10:14 "./d/hl" link to "./d/a b"')).toEqual({ type: 'h', name: './d/hl', link: './d/a b' });
    expect(parseListingLine('-rw-r--r-- 0/0 1 2026-01-01 00:00 "new\\nline\\"q"')!.name).toBe('new\nline"q');
    expect(parseListingLine('tar: Removing leading `/')).toBeUndefined();
  });

  it('normalizes names but keeps ..', () => {
    expect(normalizeEntryName('./a//b/')).toBe('a/b');
    expect(normalizeEntryName('./a/../../b')).toBe('a/../../b');
  });
});

describe('escape detection', () => {
  it('accepts a normal rootfs, including absolute symlink targets', () => {
    expect(findTarProblems([dir('./'), dir('./etc/'), file('./etc/passwd'), symlink('./bin', 'usr/bin'), symlink('./etc/alternatives/awk', '/usr/bin/mawk'), hardlink('./usr/bin/perl5', './usr/bin/perl')])).toEqual([]);
  });

  it('refuses .. components and absolute names', () => {
    const problems = findTarProblems([file('../evil'), file('./a/../../evil'), file('/etc/cron.d/evil')]);
    expect(problems.map((p) => p.reason)).toEqual(['path with ".." leaves the rootfs', 'path with ".." leaves the rootfs', 'absolute path']);
  });

  it('refuses entries written through a symlink of the same archive', () => {
    const problems = findTarProblems([symlink('./x', '/etc'), file('./x/passwd'), symlink('./up', '../../..'), dir('./up/root/')]);
    expect(problems).toHaveLength(2);
    expect(problems[0]!.reason).toMatch(/symlink "x"/);
  });

  it('refuses hard links to host paths', () => {
    const problems = findTarProblems([hardlink('./shadow', '/etc/shadow'), hardlink('./s2', '../../etc/shadow'), symlink('./l', '/etc'), hardlink('./s3', './l/shadow')]);
    expect(problems.map((p) => p.entry)).toEqual(['./shadow', './s2', './s3']);
  });
});

describe('real archives', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-tar-unit-'));
    fs.mkdirSync(path.join(tmp, 'tree/etc'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'tree/etc/hostname'), 'x\n');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each([
    ['none', []],
    ['gz', ['--gzip']],
    ['xz', ['--xz']],
    ['zst', ['--zstd']],
  ])('detects %s compression from the bytes and lists the archive', async (kind, flags) => {
    const out = path.join(tmp, `t-${kind}.bin`);
    execFileSync('tar', ['-c', ...flags, '-f', out, '-C', path.join(tmp, 'tree'), '.']);
    expect(detectCompression(out)).toBe(kind);
    const entries = await listArchive(out);
    expect(entries.map((e) => normalizeEntryName(e.name))).toEqual(['', 'etc', 'etc/hostname']);
  });

  it('finds ../ entries in an archive made with --transform', async () => {
    const out = path.join(tmp, 'evil.tar');
    execFileSync('tar', ['-c', '-P', '--transform=s,^\\./etc,../../etc,', '-f', out, '-C', path.join(tmp, 'tree'), './etc/hostname']);
    const problems = findTarProblems(await listArchive(out));
    expect(problems[0]).toMatchObject({ entry: '../../etc/hostname' });
  });

  it('a file that is not a tar archive is a clear error', async () => {
    const out = path.join(tmp, 'not.tar');
    fs.writeFileSync(out, 'hello');
    await expect(listArchive(out)).rejects.toThrow(/cannot read .* as a tar archive/);
  });
});
