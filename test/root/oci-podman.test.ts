// podman with haco as its OCI runtime (issue 16.3): `podman --runtime bin/haco-oci run` (the program's
// output reaches podman through create's stdio, its exit code through conmon, which reaps the init as
// with runc), run -d + exec + stop + rm, and `podman kube play` with haco named in containers.conf
// (`runtime = "haco"`, `[engine.runtimes]`: the README's "Using haco as podman's runtime"), run -t and
// exec -t (conmon's --console-socket), and a failing run whose error podman reads from haco's --log
// (json). podman uses
// storage, a containers.conf and images of this test's own under its temp dir (a busybox image and a
// pause image built with buildah, no registry); everything it made is removed afterwards, including
// podman's libpod_parent cgroups when this test created them, and each step checks that haco left no
// state directory, cgroup or process. ~40 s here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../support/cli';
import { tool } from '../support/oci-image';
import { libpodParents, podmanStorage, podmanTeardown, podmanUnavailable } from '../support/podman-lab';
import { describeStart, makeWorkspace, type Workspace } from '../support/rootfs';

jest.setTimeout(240_000);

const CGROUP = '/sys/fs/cgroup';
const OCI_ROOT = '/run/haco-oci'; // podman passes no --root to a runtime of its own: haco-oci's default
const HACO_OCI = path.join(REPO, 'bin/haco-oci');

/** haco's cgroup directories (one per container, under each hierarchy's haco/ parent). */
const hacoCgroups = () => fs.readdirSync(CGROUP).flatMap((c) => (fs.existsSync(path.join(CGROUP, c, 'haco')) ? fs.readdirSync(path.join(CGROUP, c, 'haco'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(CGROUP, c, 'haco', e.name)) : []));

describeStart(
  'podman with haco as its OCI runtime',
  () => {
    let ws: Workspace;
    let env: Record<string, string>;
    let storage: string[];
    const podman = (args: string[]) => tool('podman', [...storage, ...args], env);
    const podmanRun = (args: string[]) => spawnSync('podman', [...storage, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    const hadLibpodParent = libpodParents();
    const ids: string[] = [];
    /** What haco keeps for a podman container: its state dir; none may be left once podman removed it. */
    const expectNothingOf = (id: string) => {
      expect(fs.existsSync(path.join(OCI_ROOT, id))).toBe(false);
      expect(hacoCgroups().filter((d) => path.basename(d).startsWith(id.slice(0, 50)))).toEqual([]);
    };

    beforeAll(() => {
      ws = makeWorkspace('ocirt-podman');
      // The README's containers.conf, with this checkout's path, plus this machine's lower ulimits
      // (/work/shared/README.md), cgroupfs and this test's own pause image.
      const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
      const block = /## Using haco as podman's runtime[\s\S]*?```toml\n([\s\S]*?)```/.exec(readme)?.[1];
      if (!block) throw new Error("README.md has no containers.conf block under \"Using haco as podman's runtime\"");
      const conf = path.join(ws.dir, 'containers.conf');
      fs.writeFileSync(
        conf,
        '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' +
          block
            .replace('/path/to/haco/bin/haco-oci', HACO_OCI)
            .replace('[engine]\n', '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\ninfra_image = "localhost/ocirt/pause:latest"\n'),
      );
      env = { CONTAINERS_CONF: conf };
      storage = podmanStorage(ws.dir);
      // buildah commits into podman's own storage: two images from scratch with a static busybox.
      const buildah = (args: string[]) => tool('buildah', [...storage, ...args], env);
      for (const [image, entrypoint, cmd] of [
        ['localhost/ocirt/busybox:latest', '["/bin/busybox"]', '["sh"]'],
        ['localhost/ocirt/pause:latest', '["/bin/busybox","sleep"]', '["2147483647"]'],
      ] as const) {
        const ctr = buildah(['from', 'scratch']).trim();
        buildah(['copy', ctr, '/bin/busybox', '/bin/busybox']);
        buildah(['config', '--entrypoint', entrypoint, '--cmd', cmd, ctr]);
        buildah(['commit', '--quiet', ctr, image]);
        buildah(['rm', ctr]);
      }
    });

    afterAll(() => {
      if (!ws) return;
      podmanTeardown(podman, hadLibpodParent, ws.dir);
      for (const id of ids) fs.rmSync(path.join(OCI_ROOT, id), { recursive: true, force: true });
      ws.cleanup();
    });

    it('podman --runtime bin/haco-oci run: the output and the exit code reach podman; rm leaves nothing of haco', () => {
      const r = podmanRun(['--runtime', HACO_OCI, 'run', '--name', 'ocirt-run', '--network', 'none', 'localhost/ocirt/busybox', 'sh', '-c', 'echo out-$((6*7)); echo err >&2; exit 3']);
      expect(r).toExitWith(3);
      expect(r.stdout).toContain('out-42');
      expect(r.stderr).toContain('err');
      const id = podman(['inspect', '-f', '{{.Id}}', 'ocirt-run']).trim();
      ids.push(id);
      // haco kept the stopped container's state until podman deletes it
      podman(['rm', 'ocirt-run']);
      expectNothingOf(id);
    });

    it('run -d, exec, stop, rm: conmon reaps the init (haco\'s supervisor exits), exec joins the running container', () => {
      const id = podman(['--runtime', HACO_OCI, 'run', '-d', '--name', 'ocirt-bg', '--network', 'none', 'localhost/ocirt/busybox', 'sh', '-c', 'echo up; exec sleep 1000']).trim();
      ids.push(id);
      const state = JSON.parse(tool(HACO_OCI, ['state', id])) as { status: string; pid: number };
      expect(state.status).toBe('running');
      // the init's parent is podman's conmon, as with runc: it gets the exit code
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${state.pid}/status`, 'utf8'))?.[1]);
      expect(fs.readFileSync(`/proc/${ppid}/comm`, 'utf8').trim()).toBe('conmon');
      const ex = podmanRun(['exec', 'ocirt-bg', 'busybox', 'sh', '-c', 'echo in-$(busybox cat /proc/1/cmdline | busybox tr "\\0" " "); exit 5']);
      expect(ex).toExitWith(5);
      expect(ex.stdout).toContain('in-sleep 1000');
      expect(podman(['logs', 'ocirt-bg'])).toContain('up');
      podman(['stop', '-t', '2', 'ocirt-bg']);
      expect(fs.existsSync(`/proc/${state.pid}`)).toBe(false);
      podman(['rm', 'ocirt-bg']);
      expectNothingOf(id);
    });

    it('run -t and exec -t: the terminal\'s master goes to conmon\'s --console-socket, the program\'s stdio is the pty', () => {
      // the runtime named in containers.conf (the README's block): podman passes it --log and --log-format=json
      const r = podmanRun(['run', '-t', '--name', 'ocirt-tty', '--network', 'none', 'localhost/ocirt/busybox', 'sh', '-c', 'busybox tty; echo t-$((6*7)); exit 3']);
      expect(r).toExitWith(3);
      expect(r.stdout).toMatch(/^\/dev\/pts\/0\r$/m); // a terminal (its output has CR LF), from the container's devpts
      expect(r.stdout).toContain('t-42\r\n');
      const id = podman(['inspect', '-f', '{{.Id}}', 'ocirt-tty']).trim();
      ids.push(id);
      podman(['rm', 'ocirt-tty']);
      expectNothingOf(id);
      const bg = podman(['run', '-d', '--name', 'ocirt-tty-bg', '--network', 'none', 'localhost/ocirt/busybox', 'sh', '-c', 'exec sleep 1000']).trim();
      ids.push(bg);
      const ex = podmanRun(['exec', '-t', 'ocirt-tty-bg', 'busybox', 'sh', '-c', 'busybox tty; echo e-$((6*7)); exit 4']);
      expect(ex).toExitWith(4);
      expect(ex.stdout).toMatch(/^\/dev\/pts\/\d+\r$/m);
      expect(ex.stdout).toContain('e-42\r\n');
      podman(['rm', '--force', '-t', '0', 'ocirt-tty-bg']);
      expectNothingOf(bg);
    });

    it('a container that cannot start: podman shows haco\'s message and hint, read from --log (json)', () => {
      const r = podmanRun(['run', '--name', 'ocirt-fail', '--network', 'none', '--entrypoint', '/nope', 'localhost/ocirt/busybox']);
      expect(r).toExitWith(126);
      expect(r.stderr).toContain('Error: OCI runtime error: haco: "/nope" is not in the rootfs');
      expect(r.stderr).toContain('[E_NO_COMMAND] hint: the command is');
      expect(r.stderr).not.toContain('no logs from conmon');
      // podman deletes --force what failed: for runc and haco a missing container is no error then
      expect(r.stderr).not.toContain('E_NO_CONTAINER');
      const id = podman(['inspect', '-f', '{{.Id}}', 'ocirt-fail']).trim();
      ids.push(id);
      podman(['rm', 'ocirt-fail']);
      expectNothingOf(id);
    });

    it('podman kube play with haco as the runtime in containers.conf: the pod runs, its exit code and logs, kube down', () => {
      const manifest = path.join(ws.dir, 'pod.yaml');
      fs.writeFileSync(
        manifest,
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ocirt-pod\nspec:\n  restartPolicy: Never\n  containers:\n' +
          '  - name: app\n    image: localhost/ocirt/busybox:latest\n    command: ["/bin/busybox", "sh", "-c", "echo from-kube; exit 4"]\n',
      );
      podman(['kube', 'play', manifest]);
      const pod = podman(['ps', '-a', '--pod', '--filter', 'pod=ocirt-pod', '--format', '{{.ID}}']).split('\n').filter(Boolean);
      const full = pod.map((short) => podman(['inspect', '-f', '{{.Id}} {{.OCIRuntime}}', short]).trim());
      expect(full.length).toBe(2); // the infra (pause) container and the app
      for (const line of full) expect(line.split(' ')[1]).toBe('haco');
      ids.push(...full.map((l) => l.split(' ')[0]!));
      expect(podman(['wait', 'ocirt-pod-app']).trim()).toBe('4');
      expect(podman(['logs', 'ocirt-pod-app'])).toContain('from-kube');
      podman(['kube', 'down', manifest]);
      for (const line of full) expectNothingOf(line.split(' ')[0]!);
    });
  },
  [podmanUnavailable],
);
