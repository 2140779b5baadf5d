import type { ContainerDraft } from './draft';
import { overlayDirsBeside } from './overlay-dirs';

/** The parts of an image config (image-spec config.json `config` object) that become process defaults. */
export interface ImageProcessConfig {
  entrypoint: string[];
  cmd: string[];
  /** `KEY=VALUE` strings, in order. */
  env: string[];
  workingDir: string;
  /** `user`, `uid`, `user:group`, `uid:gid` or empty. */
  user: string;
  /** Keys of ExposedPorts, e.g. `8080/tcp`. */
  exposedPorts: string[];
}

/**
 * What `haco create` pinned for an image bootstrap (written by src/image/record.ts into the container's
 * state dir, never the rootfs): buildPlan applies it, so a tag that moves in the registry changes
 * nothing until the next `haco create --force`.
 */
export interface ImageRecord {
  version: 1;
  /** The reference as the definition wrote it: a changed reference makes the record stale. */
  image: string;
  digest: string;
  config: ImageProcessConfig;
  /** The config's User as numbers, looked up in the unpacked rootfs's /etc/passwd and /etc/group. */
  user?: { uid: number; gid: number };
  /** With `layers: 'shared'`: the unpacked layer dirs in the image cache, bottom first. */
  layers?: string[];
}

/**
 * Fills the process fields the definition left alone from the pinned image config, the way an engine
 * applies an image's defaults: argv = Entrypoint + Cmd, Env over haco's base environment, WorkingDir,
 * User. What the definition set (`.command()`, `.env()` keys, `.workdir()`, `.user()`) always wins.
 * Marks every value taken in `bootstrap.pinned.fromImage`, which `haco plan` shows.
 */
export function applyImageRecord(draft: ContainerDraft, record: ImageRecord | undefined): void {
  const bootstrap = draft.plan.bootstrap;
  if (bootstrap.strategy !== 'image' || !record || record.image !== bootstrap.image) return;
  const { config } = record;
  const process = draft.plan.process;
  const set = draft.processSet;
  const fromImage: string[] = [];
  const argv = [...config.entrypoint, ...config.cmd];
  if (!set.args && argv.length > 0) {
    process.args = argv;
    fromImage.push('process.args');
  }
  if (!set.envReplaced) {
    for (const entry of config.env) {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      if (key === '' || set.env.includes(key)) continue;
      process.env[key] = eq < 0 ? '' : entry.slice(eq + 1);
      fromImage.push(`process.env.${key}`);
    }
  }
  if (!set.cwd && config.workingDir !== '') {
    process.cwd = config.workingDir;
    fromImage.push('process.cwd');
  }
  if (!set.user && record.user) {
    process.user = { uid: record.user.uid, gid: record.user.gid, groups: [] };
    fromImage.push('process.user');
  }
  // Shared layers: the rootfs becomes an overlay of the image's layers (top first), upper/work beside it.
  if (bootstrap.layers === 'shared' && record.layers && record.layers.length > 0 && !draft.plan.rootfs.overlay) {
    draft.plan.rootfs.overlay = { lower: [...record.layers].reverse(), ...overlayDirsBeside(draft.plan.rootfs.path) };
  }
  bootstrap.pinned = { digest: record.digest, fromImage, exposedPorts: [...config.exposedPorts] };
}
