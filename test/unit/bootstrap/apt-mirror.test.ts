import * as path from 'node:path';
import { findMirror, parseDeb822Sources, parseOneLineSources, readAptSources } from '../../../src/bootstrap/apt-mirror';
import { debootstrapArgs, resolveMirror } from '../../../src/bootstrap/debootstrap-args';
import type { DebootstrapBootstrap } from '../../../src/plan/types';

const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);
const plan = (over: Partial<DebootstrapBootstrap> = {}): DebootstrapBootstrap => ({
  strategy: 'debootstrap',
  suite: 'bookworm',
  variant: 'minbase',
  components: ['main'],
  include: [],
  post: [],
  ...over,
});

describe('apt mirror detection', () => {
  it('reads deb822 .sources files and ignores files apt ignores', () => {
    const sources = readAptSources(fixture('apt-deb822'));
    expect(sources.map((s) => s.uri)).toEqual(['http://deb.debian.org/debian', 'http://deb.debian.org/debian-security', 'https://deb.nodesource.com/node_20.x']);
    expect(sources[0]!.suites).toEqual(['bookworm', 'bookworm-updates']);
  });

  it('picks the main archive, not security or third-party repositories', () => {
    expect(findMirror('bookworm', readAptSources(fixture('apt-deb822')))).toBe('http://deb.debian.org/debian');
    expect(findMirror('trixie', readAptSources(fixture('apt-deb822')))).toBe('http://deb.debian.org/debian');
  });

  it('reads one-line sources.list with options, skipping deb-src and comments', () => {
    const sources = readAptSources(fixture('apt-oneline'));
    expect(sources[0]).toMatchObject({ uri: 'http://mirror.example.org/debian', suites: ['bookworm'], components: ['main', 'contrib'] });
    expect(sources.some((s) => s.uri.startsWith('http://src.'))).toBe(false);
    expect(findMirror('bookworm', sources)).toBe('http://mirror.example.org/debian');
  });

  it('finds an Ubuntu mirror for an Ubuntu suite', () => {
    expect(findMirror('noble', readAptSources(fixture('apt-ubuntu')))).toBe('http://archive.ubuntu.com/ubuntu/');
  });

  it('returns undefined (and resolveMirror a clear error) when nothing fits', () => {
    expect(findMirror('bookworm', [])).toBeUndefined();
    expect(() => resolveMirror(plan(), fixture('does-not-exist'))).toThrow(/no Debian\/Ubuntu mirror found/);
  });

  it('an explicit mirror wins over detection', () => {
    expect(resolveMirror(plan({ mirror: 'http://m.example/debian' }), fixture('apt-deb822'))).toBe('http://m.example/debian');
    expect(resolveMirror(plan(), fixture('apt-deb822'))).toBe('http://deb.debian.org/debian');
  });

  it('parses multi-line deb822 fields and Enabled: no', () => {
    const text = 'Types: deb deb-src\nURIs: http://a/debian\n http://b/debian\nSuites: sid\nComponents: main\n\nTypes: deb\nEnabled: no\nURIs: http://c/debian\nSuites: sid\n';
    expect(parseDeb822Sources(text, 'x').map((s) => s.uri)).toEqual(['http://a/debian', 'http://b/debian']);
    expect(parseOneLineSources('deb\thttp://t/debian sid main', 'x')[0]!.uri).toBe('http://t/debian');
  });
});

describe('debootstrap command line', () => {
  it('puts options first and suite, target, mirror last', () => {
    expect(debootstrapArgs(plan({ include: ['curl', 'ca-certificates'], components: ['main', 'contrib'], arch: 'amd64' }), '/t', 'http://m/debian')).toEqual([
      '--variant=minbase',
      '--components=main,contrib',
      '--include=curl,ca-certificates',
      '--arch=amd64',
      'bookworm',
      '/t',
      'http://m/debian',
    ]);
    expect(debootstrapArgs(plan({ variant: 'default', components: [] }), '/t', 'm')).toEqual(['bookworm', '/t', 'm']);
  });
});
