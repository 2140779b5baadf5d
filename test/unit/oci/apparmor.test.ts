import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineContainer, type ContainerBuilder } from '../../../src/dsl/container';
import { loadDefinition } from '../../../src/load/load';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { configToDefinition } from '../../../src/oci/import';
import { toRuntimeConfig, type RuntimeConfig } from '../../../src/oci/runtime-config';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';

const noAppArmor: HostFacts = {
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true, apparmor: false },
};

function planOf(b: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/aa.haco.ts', b);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

function configWith(apparmorProfile: string | undefined, annotations: Record<string, string> = {}): RuntimeConfig {
  const { config } = toRuntimeConfig(planOf(defineContainer('oci-aa').apparmor(false)), { rootPath: '/tmp/oci-aa-root' });
  return { ...config, annotations: { ...config.annotations, ...annotations }, process: { ...config.process, ...(apparmorProfile === undefined ? {} : { apparmorProfile }) } };
}

describe('config.json process.apparmorProfile ↔ .apparmor()', () => {
  test('export: a named profile is the field; haco-default is an annotation, unmapped only where the host has AppArmor', () => {
    const named = toRuntimeConfig(planOf(defineContainer('a').apparmor('docker-default')), { rootPath: 'rootfs' });
    expect(named.config.process.apparmorProfile).toBe('docker-default');
    const dflt = toRuntimeConfig(planOf(defineContainer('a')), { rootPath: 'rootfs' });
    expect(dflt.config.process.apparmorProfile).toBeUndefined();
    expect(dflt.config.annotations?.['dev.haco.apparmor']).toBe('default');
    expect(dflt.unmapped.map((u) => u.field)).not.toContain('apparmor');
    const onAppArmorHost = toRuntimeConfig(planOf(defineContainer('a')), { rootPath: 'rootfs', hostAppArmor: true });
    expect(onAppArmorHost.unmapped).toContainEqual({ field: 'apparmor', reason: expect.stringMatching(/haco-default.*apparmor_parser -r/) });
    const off = toRuntimeConfig(planOf(defineContainer('a').apparmor(false)), { rootPath: 'rootfs' });
    expect(off.config.process.apparmorProfile).toBeUndefined();
    expect(off.config.annotations?.['dev.haco.apparmor']).toBeUndefined();
  });

  test('import: the field becomes .apparmor(NAME), "unconfined" and no field .apparmor(false), the annotation the default', () => {
    const source = (c: RuntimeConfig) => configToDefinition(c, '/tmp/oci-aa').source;
    expect(source(configWith('docker-default'))).toContain('.apparmor("docker-default")');
    expect(source(configWith('unconfined'))).toContain('.apparmor(false)');
    expect(source(configWith(undefined))).toContain('.apparmor(false)');
    expect(source(configWith(undefined, { 'dev.haco.apparmor': 'default' }))).not.toContain('.apparmor(');
    expect(configToDefinition(configWith('docker-default'), '/tmp/oci-aa').notes.join('\n')).not.toContain('apparmorProfile');
  });

  test('runtime mode: a profile this kernel cannot apply fails the create (runtime-spec: error, no container), never runs unconfined', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmtier-oci-aa-'));
    try {
      const file = path.join(dir, 'oci-aa.haco.ts');
      fs.writeFileSync(file, configToDefinition(configWith('docker-default'), dir).source);
      const container = (await loadDefinition(file, { cache: false })).plan.containers[0]!;
      expect(container.apparmor).toEqual({ profile: 'docker-default' });
      expect(() => compileLaunchSpec(container, noAppArmor)).toThrow(expect.objectContaining({ code: 'E_APPARMOR_UNAVAILABLE' }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
