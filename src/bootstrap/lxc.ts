import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LxcBootstrap } from '../plan/types';
import { closest } from '../plan/suggest';
import { runStreamed } from '../progress/run-streamed';
import { findMirror, readAptSources } from './apt-mirror';
import type { BootstrapContext } from './context';
import { BootstrapError } from './errors';
import { stateRoot } from '../state/state-root';
import { installHint, requireTool } from '../host/tools';
import { ensurePrivateCache, ensureStateRoot } from '../state/host-dir';
import { currentIdentity, rootlessMaps, type RootlessIdentity } from '../rootless/identity';

/**
 * lxc.idmap lines giving the template the maps a rootless container of haco gets (root = the user,
 * 1… = the subordinate ranges: src/rootless/identity.ts), so the tree it writes has the owners the
 * container will see. lxc's own habit (root = the first subordinate id) would show root's files as uid 1.
 */
export function lxcIdmapConfig(id: RootlessIdentity): string {
  const maps = rootlessMaps(id);
  const lines = [...maps.uidMap.map((e) => `lxc.idmap = u ${e.inside} ${e.outside} ${e.count}`), ...maps.gidMap.map((e) => `lxc.idmap = g ${e.inside} ${e.outside} ${e.count}`)];
  return `${lines.join('\n')}\n`;
}

const TEMPLATES_DIR = '/usr/share/lxc/templates';

/** Templates lxc-templates installs (`lxc-NAME` files). */
export function lxcTemplates(dir = TEMPLATES_DIR): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('lxc-'))
      .map((f) => f.slice(4))
      .sort();
  } catch {
    return [];
  }
}

/** Output of a template that tried to download something and could not. */
const NETWORK_FAILURE = /Failed to (download|resolve)|Could not resolve|Temporary failure in name resolution|Network is unreachable|unable to resolve|wget: |curl: \(|Connection (refused|timed out)|Failed getting release file|Couldn't download/i;

/** Turns lxc-create's failure output into the error a user can act on. */
export function explainLxcFailure(template: string, exitCode: number, tail: readonly string[], rootless = false): BootstrapError {
  const text = tail.join('\n');
  if (/Template "[^"]*" not found|bad template/.test(text)) {
    const near = closest(template, lxcTemplates());
    return new BootstrapError('E_LXC_TEMPLATE', `lxc has no template "${template}"`, `${near ? `did you mean "${near}"? ` : ''}templates: ${lxcTemplates().join(', ') || `none (${installHint(['/usr/share/lxc/templates/lxc-debian'])})`}`);
  }
  if (NETWORK_FAILURE.test(text)) {
    const line = tail.find((l) => NETWORK_FAILURE.test(l)) ?? '';
    return new BootstrapError(
      'E_LXC_NEEDS_NETWORK',
      `the lxc template "${template}" needs network access to download its image, and the download failed: ${line.trim()}`,
      'use a template that builds locally (busybox, or debian from the host apt mirror), or b.debootstrap()/b.tarball() instead',
    );
  }
  const last = tail.filter((l) => /error|fail/i.test(l)).shift() ?? tail.slice(-1)[0] ?? '';
  if (rootless) {
    return new BootstrapError(
      'E_LXC_CREATE',
      `lxc-create -t ${template} failed as an ordinary user (exit ${exitCode}): ${last.trim()}`,
      "not every lxc template runs unprivileged (busybox does); without root use b.busybox(), b.debootstrap() (mmdebstrap's unshare mode) or b.tarball(), or run haco create as root",
    );
  }
  return new BootstrapError('E_LXC_CREATE', `lxc-create -t ${template} failed (exit ${exitCode}): ${last.trim()}`, 'see the [bootstrap.lxc] lines above');
}

/**
 * `lxc`: `lxc-create -t TEMPLATE -- ARGS` in a private, temporary lxcpath (`-P`), so nothing appears
 * in /var/lib/lxc and `lxc-ls` never sees it; the template's `rootfs` is moved into place and its
 * config dir removed. Template caches (lxc-debian keeps a debootstrap tree) go to
 * `$HACO_STATE_ROOT/cache/lxc` instead of /var/cache/lxc. The debian template gets the host's apt
 * mirror unless MIRROR is set.
 */
export async function bootstrapLxc(plan: LxcBootstrap, ctx: BootstrapContext): Promise<void> {
  requireTool('lxc-create');
  const phase = 'bootstrap.lxc';
  const lxcPath = ctx.work.scratch(`${ctx.work.dir}.lxc`);
  fs.mkdirSync(lxcPath, { mode: 0o700 });
  // HACO_LXC_CACHE overrides where templates keep their caches (CI keeps it between runs).
  const fromEnv = process.env['HACO_LXC_CACHE'];
  // Under haco's state root: /var/lib/haco stays 0711, its cache dirs are root's alone.
  if (!fromEnv) ensurePrivateCache(path.join(ensureStateRoot(), 'cache'));
  const cache = fromEnv || path.join(stateRoot(), 'cache/lxc');
  ensurePrivateCache(cache);
  const env: Record<string, string> = { LXC_CACHE_PATH: cache, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' };
  if (!process.env['MIRROR'] && ['debian', 'ubuntu', 'devuan', 'kali'].includes(plan.template)) {
    const r = plan.args.findIndex((a) => a === '-r' || a === '--release');
    const release = (r >= 0 ? plan.args[r + 1] : plan.args.find((a) => a.startsWith('--release='))?.slice(10)) ?? 'stable';
    const mirror = findMirror(release, readAptSources());
    if (mirror && plan.template === 'debian' && /debian/.test(mirror)) env['MIRROR'] = mirror;
  }
  // lxc names are short and plain; the name only lives in the private lxcpath.
  const name = `haco-${ctx.container.name}`.slice(0, 60);
  // An ordinary user: lxc-create runs the template in a user namespace with these maps (lxc-usernsexec);
  // templates that support it (busybox) work, the others fail and say so (explainLxcFailure).
  const id = currentIdentity();
  const idmap: string[] = [];
  if (id) {
    const conf = path.join(lxcPath, 'haco-idmap.conf');
    fs.writeFileSync(conf, lxcIdmapConfig(id), { mode: 0o600 });
    idmap.push('-f', conf);
  }
  const args = ['-P', lxcPath, '-n', name, '-t', plan.template, ...idmap, ...(plan.args.length > 0 ? ['--', ...plan.args] : [])];
  ctx.reporter.line(ctx.container.name, phase, `lxc-create ${args.join(' ')}`);
  const result = await runStreamed('lxc-create', args, { reporter: ctx.reporter, container: ctx.container.name, phase, env, signal: ctx.work.signal, keep: 80 });
  if (result.cancelled) return;
  if (result.exitCode !== 0) throw explainLxcFailure(plan.template, result.exitCode, result.tail, id !== undefined);
  const made = path.join(lxcPath, name, 'rootfs');
  if (!fs.existsSync(made)) throw new BootstrapError('E_LXC_CREATE', `lxc-create -t ${plan.template} made no rootfs in ${path.join(lxcPath, name)}`);
  // The template's tree becomes the build dir; the (empty) dir atomic.ts made gives way.
  fs.rmdirSync(ctx.work.dir);
  fs.renameSync(made, ctx.work.dir);
}
