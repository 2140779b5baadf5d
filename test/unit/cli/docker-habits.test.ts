// Parsing and plan edits behind the docker habits (issue 14.6): -e/-v are the DSL's .env()/.bind(),
// FILE#NAME is one parser, --env-file is docker's format.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineContainer } from 'haco';
import { buildPlan } from '../../../src/plan/build';
import { parseFileRef } from '../../../src/plan/pick';
import { applyToggles, readEnvFile, ToggleError, togglesFromFlags } from '../../../src/dsl/toggles';
import { withHostValue } from '../../../src/plan/host-env';
import type { ContainerPlan } from '../../../src/plan/types';
import { execCapsHint } from '../../../src/runtime/compile-hints';

function planOf(exported: unknown): ContainerPlan {
  const built = buildPlan('/tmp/x.haco.ts', exported);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  return built.plan.containers[0]!;
}

const base = planOf(defineContainer('box').bootstrap((b) => b.host()));

function toggleError(run: () => unknown): ToggleError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ToggleError);
    return error as ToggleError;
  }
  throw new Error('expected a ToggleError');
}

describe('-e and -v', () => {
  it('equal the DSL calls they stand for', () => {
    const viaFlags = applyToggles(base, { env: ['A=1', 'B=x=y, z'], volumes: ['/tmp:/data:ro', '/etc:/host-etc'] });
    const viaDsl = planOf(
      defineContainer('box')
        .bootstrap((b) => b.host())
        .env({ A: '1', B: 'x=y, z' })
        .bind('/tmp', '/data', { readonly: true })
        .bind('/etc', '/host-etc', { readonly: false }),
    );
    expect(viaFlags.process.env).toEqual(viaDsl.process.env);
    expect(viaFlags.mounts).toEqual(viaDsl.mounts);
    expect(base.mounts).toHaveLength(viaDsl.mounts.length - 2); // the input is not changed
  });

  it('names the flag and a fix for a bad SRC, DST or option', () => {
    const bad = (volume: string) => toggleError(() => applyToggles(base, { volumes: [volume] })).issues[0]!;
    expect(bad('rel/dir:/d')).toMatchObject({ flag: '--volume', message: expect.stringContaining('not absolute') as string, hint: expect.stringContaining('-v SRC:DST') as string });
    expect(bad('/no/such/dir/here:/d')).toMatchObject({ flag: '--volume', hint: expect.stringContaining('mkdir -p /no/such/dir/here') as string });
    expect(bad('/tmp:d')).toMatchObject({ message: expect.stringContaining('container path "d"') as string });
    expect(bad('/tmp:/d:rx')).toMatchObject({ message: expect.stringContaining('unknown option "rx"') as string });
    expect(bad('/tmp')).toMatchObject({ message: expect.stringContaining('not SRC:DST') as string });
    expect(toggleError(() => applyToggles(base, { env: ['=1'] })).message).toContain('--env');
  });

  it('-e KEY takes haco\'s own value, and is left out when unset (docker\'s habit)', () => {
    expect(withHostValue('HOME', { HOME: '/root' })).toEqual(['HOME=/root']);
    expect(withHostValue('NOPE', {})).toEqual([]);
    expect(withHostValue('A=', {})).toEqual(['A=']);
  });

  it('--env-file: KEY=VALUE lines, comments and blanks skipped, values as written; -e wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-envfile-'));
    try {
      const file = path.join(dir, 'env');
      fs.writeFileSync(file, '# a comment\n\nA=1\nB="quoted"\r\nC=from file\n');
      expect(readEnvFile(file)).toEqual(['A=1', 'B="quoted"', 'C=from file']);
      const t = togglesFromFlags({ 'env-file': [file], env: ['C=from flag'], volume: ['/a,b:/c'] });
      expect(t.env).toEqual(['A=1', 'B="quoted"', 'C=from file', 'C=from flag']);
      expect(applyToggles(base, { env: t.env! }).process.env['C']).toBe('from flag');
      expect(t.volumes).toEqual(['/a,b:/c']); // never split on commas
      expect(toggleError(() => readEnvFile(path.join(dir, 'missing'))).issues[0]).toMatchObject({ flag: '--env-file' });
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('FILE#NAME', () => {
  const exists = (p: string) => p === 'odd#name.haco.ts';
  it('splits at the last # unless the whole argument is a file', () => {
    expect(parseFileRef('app.haco.ts', undefined, exists)).toEqual({ file: 'app.haco.ts' });
    expect(parseFileRef('app.haco.ts', 'web', exists)).toEqual({ file: 'app.haco.ts', container: 'web' });
    expect(parseFileRef('app.haco.ts#web', undefined, exists)).toEqual({ file: 'app.haco.ts', container: 'web' });
    expect(parseFileRef('app.haco.ts#web', 'web', exists)).toEqual({ file: 'app.haco.ts', container: 'web' });
    expect(parseFileRef('odd#name.haco.ts', undefined, exists)).toEqual({ file: 'odd#name.haco.ts' });
  });
  it('refuses an empty name and a conflict with -c', () => {
    expect(() => parseFileRef('app.haco.ts#', undefined, exists)).toThrow(/names no container/);
    expect(() => parseFileRef('app.haco.ts#web', 'db', exists)).toThrow(/two different containers/);
  });
});

describe('exec EPERM hint', () => {
  it('explains file capabilities and names the DSL call and the flag', () => {
    const hint = execCapsHint(base.capabilities.bounding);
    expect(hint).toContain('security.capability');
    expect(hint).toContain(".addCaps('net_raw')");
    expect(hint).toContain('--add-cap net_raw');
    expect(execCapsHint([...base.capabilities.bounding, 'net_raw'])).toContain(".addCaps('net_admin')");
  });
});
