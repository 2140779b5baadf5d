import type { BootstrapPlan, DebootstrapBootstrap, ShellStep } from '../plan/types';
import { HOST_BOOTSTRAP_BINDS } from '../plan/defaults';
import { checkOptions, guardMethods, optionKeys } from './options';

export interface DebootstrapOptions {
  /** Debian or Ubuntu suite, e.g. "bookworm", "trixie", "noble". */
  suite: string;
  /** `minbase` (default: apt + essentials only), `buildd`, `fakechroot` or `default`. */
  variant?: DebootstrapBootstrap['variant'];
  /** Archive URL; absent = the mirror the host's apt already uses (works offline from a local mirror). */
  mirror?: string;
  /** Archive components, default ["main"]. */
  components?: string[];
  /** Extra packages to install (`--include`). */
  include?: string[];
  /** Target architecture (`--arch`), default the host's. */
  arch?: string;
}
const DEBOOTSTRAP_OPTIONS = optionKeys<DebootstrapOptions>()({ suite: true, variant: true, mirror: true, components: true, include: true, arch: true });

export interface BusyboxOptions {
  /** A statically linked busybox on the host (Debian: busybox-static), default /bin/busybox. */
  busybox?: string;
}
const BUSYBOX_OPTIONS = optionKeys<BusyboxOptions>()({ busybox: true });

export interface HostOptions {
  /** Host directories bound read-only (default /usr, /bin, /sbin, /lib, /lib64, /lib32, /libx32). */
  binds?: string[];
}
const HOST_OPTIONS = optionKeys<HostOptions>()({ binds: true });

export interface LxcOptions {
  /** Arguments passed to the template after `--`. */
  args?: string[];
}
const LXC_OPTIONS = optionKeys<LxcOptions>()({ args: true });

export interface ImageOptions {
  /** Verify TLS for a docker:// registry (default true); false for a plain-HTTP or self-signed local registry. */
  tlsVerify?: boolean;
  /**
   * `copy` (default): the layers are unpacked into this container's own rootfs, a plain tree that post
   * steps, `haco export` and rootless containers use as is. `shared`: each layer is unpacked once into the
   * image cache (`CACHE/layers/`) and the rootfs is an overlay of those read-only layers with this
   * container's own upper dir, mounted by the launcher at start: N containers of one image store it once
   * and create in milliseconds once the layers are there. Post steps are refused with `shared` (the
   * rootfs is only a mount point until start).
   */
  layers?: 'copy' | 'shared';
}
const IMAGE_OPTIONS = optionKeys<ImageOptions>()({ tlsVerify: true, layers: true });

/**
 * How `haco create` builds the root filesystem. Exactly one strategy; `post()` steps run afterwards on
 * the host with `$ROOTFS` pointing at the new tree. Immutable: every method returns a new builder.
 */
export class BootstrapBuilder {
  readonly #plan: BootstrapPlan;

  /** @internal */
  constructor(plan: BootstrapPlan = { strategy: 'none', post: [] }) {
    this.#plan = plan;
    return guardMethods(this, 'the bootstrap builder');
  }

  /**
   * No download at all: the host's /usr, /bin, /lib… are bound read-only into the container at start,
   * and the rootfs only holds the container's own /etc, /var, /tmp and /root. Instant.
   * See it: `findmnt -R /` inside shows the read-only binds of the host's directories.
   */
  host(options: HostOptions = {}): BootstrapBuilder {
    checkOptions('.host()', options, HOST_OPTIONS);
    return this.#strategy({ strategy: 'host', binds: options.binds ?? [...HOST_BOOTSTRAP_BINDS] });
  }

  /**
   * A minimal rootfs made of the host's static busybox and its applet links. Instant, no network.
   * See it: `ls -l /bin` inside shows every tool as a link to busybox.
   */
  busybox(options: BusyboxOptions = {}): BootstrapBuilder {
    checkOptions('.busybox()', options, BUSYBOX_OPTIONS);
    return this.#strategy({ strategy: 'busybox', busybox: options.busybox ?? '/bin/busybox' });
  }

  /**
   * Real Debian or Ubuntu with debootstrap(8), from the host's apt mirror unless `mirror` is given.
   * See it: `cat /etc/os-release` inside.
   */
  debootstrap(options: DebootstrapOptions): BootstrapBuilder {
    checkOptions('.debootstrap()', options, DEBOOTSTRAP_OPTIONS);
    return this.#strategy({
      strategy: 'debootstrap',
      suite: options.suite,
      variant: options.variant ?? 'minbase',
      ...(options.mirror === undefined ? {} : { mirror: options.mirror }),
      components: options.components ?? ['main'],
      include: options.include ?? [],
      ...(options.arch === undefined ? {} : { arch: options.arch }),
    });
  }

  /**
   * `lxc-create -t TEMPLATE -- ARGS` with the templates of the lxc-templates package (busybox, debian,
   * ubuntu, alpine, download…). Templates that download images need network access.
   */
  lxc(template: string, options: LxcOptions = {}): BootstrapBuilder {
    checkOptions('.lxc() options', options, LXC_OPTIONS);
    return this.#strategy({ strategy: 'lxc', template, args: options.args ?? [] });
  }

  /**
   * Import a rootfs archive (.tar, .tar.gz, .tar.xz, .tar.zst) such as `docker export` output (the droot
   * way). Entries that would land outside the rootfs are refused.
   */
  tarball(archive: string): BootstrapBuilder {
    return this.#strategy({ strategy: 'tarball', archive });
  }

  /**
   * An OCI or Docker image: `docker://REGISTRY/NAME:TAG`, `oci-archive:FILE`, `docker-archive:FILE`
   * (`docker save`) or `oci:DIR:TAG`. skopeo copies it into the shared image cache and umoci unpacks its
   * layers (whiteouts applied). Its Entrypoint+Cmd, Env, WorkingDir and User become the defaults of
   * `.command()`, `.env()`, `.workdir()` and `.user()`; what the definition sets wins. The image is
   * pulled and pinned by `haco create`; `haco plan` then marks the values "from image".
   * See it: `haco plan FILE` after `haco create FILE`.
   */
  image(reference: string, options: ImageOptions = {}): BootstrapBuilder {
    checkOptions('.image() options', options, IMAGE_OPTIONS);
    return this.#strategy({ strategy: 'image', image: reference, tlsVerify: options.tlsVerify ?? true, layers: options.layers ?? 'copy' });
  }

  /** Use an existing tree: copy `source` into the rootfs, or (no source) use the rootfs path as it is. */
  directory(source?: string): BootstrapBuilder {
    return this.#strategy({ strategy: 'directory', ...(source === undefined ? {} : { source }) });
  }

  /** Your own commands (`sh -e`) fill `$ROOTFS`. */
  shell(script: string): BootstrapBuilder {
    return this.#strategy({ strategy: 'shell', script });
  }

  /** A named step run on the host after the strategy, with `$ROOTFS` set (e.g. to trim docs). */
  post(name: string, script: string): BootstrapBuilder {
    const step: ShellStep = { name, script };
    return new BootstrapBuilder({ ...this.#plan, post: [...this.#plan.post, step] });
  }

  /** @internal */
  toPlan(): BootstrapPlan {
    return structuredClone(this.#plan);
  }

  #strategy(plan: DistributiveOmit<BootstrapPlan, 'post'>): BootstrapBuilder {
    return new BootstrapBuilder({ ...plan, post: this.#plan.post } as BootstrapPlan);
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
