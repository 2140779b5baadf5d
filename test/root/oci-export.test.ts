// haco export image and haco export kube (issue 15.3): the exported image is read by skopeo, loaded and
// run by podman, and the Pod manifest is run by `podman kube play`. podman and buildah use storage, a
// containers.conf and a pause image of this test's own (under its temp dir); everything they made,
// including podman's libpod_parent cgroups when this test created them, is removed afterwards.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco } from '../support/cli';
import { buildahIn, tool } from '../support/oci-image';
import { libpodParents, podmanStorage, podmanTeardown, podmanUnavailable } from '../support/podman-lab';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';

jest.setTimeout(240_000);

describeStart(
  'export image and export kube, run by podman',
  () => {
    let ws: Workspace;
    let name: string;
    let file: string;
    let podman: (args: string[]) => string;
    let env: Record<string, string>;
    const hadLibpodParent = libpodParents();
    beforeAll(() => {
      ws = makeWorkspace('ociexport');
      name = uniqueName('exp');
      file = ws.define(
        name,
        `.command(['/bin/sh', '-c', 'echo "$FOO $(id -u):$(id -g) $(pwd)"; grep CapBnd /proc/self/status; touch /x 2>/dev/null || echo read-only; exit 4'])` +
          `.env({ FOO: 'bar' }).workdir('/tmp').user({ uid: 1000, gid: 1000 }).readonlyRootfs().memory('64M').cpu('50%').dropCaps('chown')`,
      );
      const conf = path.join(ws.dir, 'containers.conf');
      fs.writeFileSync(
        conf,
        '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' +
          '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\ninfra_image = "localhost/haco-test/pause:latest"\n',
      );
      env = { CONTAINERS_CONF: conf };
      const storage = podmanStorage(ws.dir);
      podman = (args) => tool('podman', [...storage, ...args], env);
    });
    afterAll(() => {
      if (!ws) return;
      podmanTeardown(podman, hadLibpodParent, ws.dir);
      ws.cleanup();
    });

    it('export image: an oci-archive skopeo reads, podman loads and runs with the plan\'s process', () => {
      const archive = path.join(ws.dir, 'app.tar');
      const r = haco(['export', 'image', file, '-o', archive], { cwd: ws.dir, env: ws.env });
      if (r.status !== 0) throw new Error(`haco export image failed:\n${r.stderr}`);
      expect(r.stdout.trim()).toBe(`oci-archive:${archive}`);
      const config = JSON.parse(tool('skopeo', ['inspect', '--config', `oci-archive:${archive}`])) as { config: Record<string, unknown> };
      expect(config.config).toMatchObject({ User: '1000:1000', WorkingDir: '/tmp', Entrypoint: ['/bin/sh', '-c', expect.stringContaining('echo "$FOO')] });
      expect(config.config['Env']).toContain('FOO=bar');
      expect(podman(['load', '--quiet', '--input', archive])).toContain(`localhost/haco/${name}:latest`);
      const run = spawnSync('podman', [...podmanStorage(ws.dir), 'run', '--rm', '--network', 'none', `localhost/haco/${name}:latest`], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\n')[0]).toBe('bar 1000:1000 /tmp');
      expect(run).toExitWith(4);
    });

    it('export image --format oci: a layout directory skopeo reads', () => {
      const layout = path.join(ws.dir, 'layout');
      const r = haco(['export', 'image', file, '-o', layout, '--format', 'oci', '--tag', 'v1'], { cwd: ws.dir, env: ws.env });
      if (r.status !== 0) throw new Error(r.stderr);
      const inspect = JSON.parse(tool('skopeo', ['inspect', `oci:${layout}:v1`])) as { Layers: string[]; Env: string[] };
      expect(inspect.Layers).toHaveLength(1);
      expect(inspect.Env).toContain('FOO=bar');
    });

    it('export kube: podman kube play runs the Pod with its env, user, workdir, read-only root and capabilities', () => {
      // kube play needs a pause image; none can be pulled here, so the test builds one with buildah.
      const buildah = buildahIn(ws.dir);
      const ctr = buildah(['from', 'scratch']).trim();
      buildah(['copy', ctr, '/bin/busybox', '/bin/busybox']);
      buildah(['config', '--entrypoint', '["/bin/busybox","sleep"]', '--cmd', '["2147483647"]', ctr]);
      buildah(['commit', '--quiet', ctr, `oci-archive:${path.join(ws.dir, 'pause.tar')}:haco-test/pause:latest`]);
      buildah(['rm', ctr]);
      podman(['load', '--quiet', '--input', path.join(ws.dir, 'pause.tar')]);

      const k = haco(['export', 'kube', file, '--image', `localhost/haco/${name}:latest`], { cwd: ws.dir, env: ws.env });
      if (k.status !== 0) throw new Error(k.stderr);
      const pod = JSON.parse(k.stdout) as { kind: string; spec: { containers: Array<{ securityContext: Record<string, unknown>; resources: unknown }> } };
      expect(pod.kind).toBe('Pod');
      expect(pod.spec.containers[0]!.resources).toEqual({ limits: { cpu: '500m', memory: String(64 * 1024 * 1024) } });
      expect(pod.spec.containers[0]!.securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } });
      const manifest = path.join(ws.dir, 'pod.yaml');
      fs.writeFileSync(manifest, k.stdout);

      podman(['kube', 'play', manifest]);
      const kubeName = name.toLowerCase();
      const container = `${kubeName}-${kubeName}`;
      expect(podman(['wait', container]).trim()).toBe('4');
      const logs = podman(['logs', container]);
      expect(logs).toContain('bar 1000:1000 /tmp');
      expect(logs).toContain('read-only');
      // haco's default set without chown: dac_override fowner fsetid kill setgid setuid setpcap net_bind_service sys_chroot setfcap
      expect(logs).toMatch(/CapBnd:\s+00000000800405fa/);
      podman(['kube', 'down', manifest]);
    });

    it('export kube --kind deployment: podman kube play runs it as a Deployment of one replica', async () => {
      const k = haco(['export', 'kube', file, '--kind', 'deployment', '--image', `localhost/haco/${name}:latest`], { cwd: ws.dir, env: ws.env });
      expect(k).toExitWith(0);
      const d = JSON.parse(k.stdout) as { apiVersion: string; kind: string; spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { restartPolicy: string } } } };
      expect([d.apiVersion, d.kind, d.spec.replicas]).toEqual(['apps/v1', 'Deployment', 1]);
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      expect(d.spec.template.spec.restartPolicy).toBe('Always');
      expect(k.stderr).toContain('not mapped: restart'); // the definition's policy is "no"
      const manifest = path.join(ws.dir, 'deployment.yaml');
      fs.writeFileSync(manifest, k.stdout);
      podman(['kube', 'play', manifest]);
      try {
        const kubeName = name.toLowerCase();
        const names = podman(['ps', '-a', '--format', '{{.Names}}']).split('\n').filter((n) => n.startsWith(`${kubeName}-pod`) && n.endsWith(`-${kubeName}`));
        expect(names).toHaveLength(1); // one replica
        let logs = '';
        for (let i = 0; i < 100 && !logs.includes('read-only'); i += 1) {
          logs = podman(['logs', names[0]!]);
          if (!logs.includes('read-only')) await new Promise((r) => setTimeout(r, 200));
        }
        expect(logs).toContain('bar 1000:1000 /tmp');
        expect(logs).toContain('read-only');
      } finally {
        podman(['kube', 'down', manifest]);
      }
    });
  },
  [podmanUnavailable],
);
