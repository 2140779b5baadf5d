import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebootstrapBootstrap } from '../plan/types';
import { closest } from '../plan/suggest';
import { runStreamed } from '../progress/run-streamed';
import { debootstrapArgs, resolveMirror } from './debootstrap-args';
import type { BootstrapContext } from './context';
import { BootstrapError } from './errors';
import { ensurePrivateCache, ensureStateHome } from '../state/host-dir';
import { HOST_MODES } from '../state/paths';
import { requireTool } from '../host/tools';
import { currentIdentity } from '../rootless/identity';
import { bootstrapMmdebstrap } from './mmdebstrap';

const SCRIPTS_DIR = '/usr/share/debootstrap/scripts';

/** `debootstrap`: a real Debian/Ubuntu system, from the host's apt mirror unless one is named. */
export async function bootstrapDebootstrap(plan: DebootstrapBootstrap, ctx: BootstrapContext): Promise<void> {
  // An ordinary user: the same system through mmdebstrap's unshare mode (src/bootstrap/mmdebstrap.ts).
  const id = currentIdentity();
  if (id) return bootstrapMmdebstrap(plan, ctx, resolveMirror(plan), id);
  requireTool('debootstrap');
  if (fs.existsSync(SCRIPTS_DIR) && !fs.existsSync(`${SCRIPTS_DIR}/${plan.suite}`)) {
    const known = fs.readdirSync(SCRIPTS_DIR);
    const near = closest(plan.suite, known);
    throw new BootstrapError(
      'E_UNKNOWN_SUITE',
      `debootstrap does not know the suite "${plan.suite}"`,
      near ? `did you mean "${near}"? (suites: ls ${SCRIPTS_DIR})` : `suites it knows: ls ${SCRIPTS_DIR} (e.g. bookworm, trixie, noble)`,
    );
  }
  const mirror = resolveMirror(plan);
  const phase = 'bootstrap.debootstrap';
  ctx.reporter.line(ctx.container.name, phase, `suite ${plan.suite} (${plan.variant}) from ${mirror}`);
  // HACO_DEBOOTSTRAP_CACHE: keep the downloaded .debs there (debootstrap --cache-dir), so a rebuild
  // or a CI run downloads nothing it already has. Must be an absolute path.
  const cacheDir = process.env['HACO_DEBOOTSTRAP_CACHE'];
  const extra: string[] = [];
  if (cacheDir && path.isAbsolute(cacheDir)) {
    ensurePrivateCache(cacheDir);
    extra.push(`--cache-dir=${cacheDir}`);
  }
  const result = await runStreamed('debootstrap', [...extra, ...debootstrapArgs(plan, ctx.work.dir, mirror)], {
    reporter: ctx.reporter,
    container: ctx.container.name,
    phase,
    env: { LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    signal: ctx.work.signal,
  });
  if (result.cancelled) return;
  if (result.exitCode !== 0) {
    const log = keepLog(ctx);
    const tail = result.tail.join('\n');
    if (/Failed getting release file|Release file.*not found|Failed getting release signature/i.test(tail)) {
      throw new BootstrapError('E_SUITE_NOT_ON_MIRROR', `${mirror} has no suite "${plan.suite}" (or cannot be reached)`, `check the suite and the mirror: curl -sI ${mirror.replace(/\/$/, '')}/dists/${plan.suite}/Release`);
    }
    if (/Couldn't download|Could not resolve|Temporary failure|Connection refused|Network is unreachable/i.test(tail)) {
      throw new BootstrapError('E_MIRROR_UNREACHABLE', `debootstrap could not download from ${mirror}`, 'check the network or name a reachable mirror');
    }
    const lastError = result.tail.filter((l) => /^E:|error/i.test(l)).pop() ?? result.tail.slice(-1)[0] ?? '';
    throw new BootstrapError('E_DEBOOTSTRAP', `debootstrap failed (exit ${result.exitCode}): ${lastError}`, log ? `debootstrap's log: ${log}` : `see the [${phase}] lines above`);
  }
}

/** The partial tree is about to be removed: keep debootstrap's own log in the state dir. */
function keepLog(ctx: BootstrapContext): string | undefined {
  const from = path.join(ctx.work.dir, 'debootstrap/debootstrap.log');
  if (!fs.existsSync(from)) return undefined;
  try {
    const to = path.join(ensureStateHome(ctx.container.name), 'debootstrap.log');
    fs.copyFileSync(from, to);
    fs.chmodSync(to, HOST_MODES.file);
    return to;
  } catch {
    return undefined;
  }
}
